import { unavailable } from '../../../../shared/errors.js';
import type { Readiness } from '../../../../shared/http/probe-server.js';
import { logger } from '../../../../shared/logger.js';
import type { ModelFingerprint } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import { padBatch, paddedTokens } from '../backend/batch.js';
import type { BackendState } from '../backend/worker-backend.js';
import type { PaddedBatch } from '../backend/batch.js';
import type { EmbedderMetrics } from '../metrics.js';
import type { ModelProfile, Role } from '../model/profile.js';
import { InferenceQueue } from '../queue/inference-queue.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { validateTexts, type Limits } from './validate.js';

/** What the core needs from an inference backend: padded ids in, unit vectors out. */
export interface EmbeddingBackend {
  readonly state: BackendState;
  embed(batch: PaddedBatch): Promise<Float32Array[]>;
  on(event: 'state', listener: (state: BackendState) => void): unknown;
}

export interface EmbedCall {
  texts: readonly string[];
  role: Role;
  /** Epoch ms; queued work past it is dropped without running. */
  deadline?: number;
  signal?: AbortSignal;
}

export interface EmbeddingResult {
  values: Float32Array;
  tokenCount: number;
  truncated: boolean;
}

interface Job {
  sequences: number[][];
}

export interface EmbedderCoreOptions {
  profile: ModelProfile;
  tokenizer: TextTokenizer;
  backend: EmbeddingBackend;
  fingerprint: ModelFingerprint;
  limits: Limits;
  queue: { capacity: number; batchTokenBudget: number };
  metrics: EmbedderMetrics;
}

/**
 * The embedder's core: validate, apply the role prefix, tokenize, queue for
 * the single inference slot, return vectors. Transport-free: gRPC and HTTP
 * adapters call it.
 */
export class EmbedderCore {
  private readonly queue: InferenceQueue<Job, Float32Array[]>;
  private shuttingDown = false;

  constructor(private readonly options: EmbedderCoreOptions) {
    const { metrics } = options;
    this.queue = new InferenceQueue<Job, Float32Array[]>({
      capacity: options.queue.capacity,
      batchBudget: options.queue.batchTokenBudget,
      cost: (jobs) => paddedTokens(jobs.flatMap((j) => j.sequences)),
      execute: (jobs) => this.runFused(jobs),
      onDrop: (reason) => metrics.rejections.inc({ reason }),
      onBatch: ({ requests, waitedMs }) => {
        metrics.batchRequests.observe(requests);
        for (const ms of waitedMs) metrics.queueWaitSeconds.observe(ms / 1000);
      },
    });
    // Queued callers must not hang on a backend that is being replaced.
    options.backend.on('state', (state) => {
      metrics.ready.set(this.readiness().ready ? 1 : 0);
      if (state === 'recovering' || state === 'stopped') {
        this.queue.rejectAll(() => unavailable('the model is being reloaded after a wedged inference; retry shortly', 'recovering'));
        metrics.queueDepth.set(0);
      }
    });
  }

  get fingerprint(): ModelFingerprint {
    return this.options.fingerprint;
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  /** True while an inference is running. */
  get busy(): boolean {
    return this.queue.busy;
  }

  /** The exact text the model sees for a caller's text of a role. */
  modelText(role: Role, text: string): string {
    return this.options.profile.format(role, text);
  }

  async embed(call: EmbedCall): Promise<EmbeddingResult[]> {
    const { metrics } = this.options;
    try {
      validateTexts(call.texts, this.options.limits);
      if (this.shuttingDown) throw unavailable('embedder is shutting down; retry on another replica', 'shutting_down');
      const state = this.options.backend.state;
      if (state !== 'ready') throw unavailable(`model is not ready (${state.replace('_', ' ')}); retry shortly`, `not_ready`);
    } catch (err) {
      metrics.rejections.inc({ reason: (err as { reason?: string }).reason ?? 'invalid' });
      throw err;
    }

    const encoded = await this.tokenize(call.texts, call.role);
    let tokenCount = 0;
    for (const e of encoded) {
      tokenCount += e.ids.length;
      if (e.truncated) metrics.truncated.inc();
    }
    metrics.tokens.inc({ role: call.role }, tokenCount);

    metrics.queueDepth.set(this.queue.depth + 1);
    const started = performance.now();
    try {
      const vectors = await this.queue.submit(
        { sequences: encoded.map((e) => e.ids) },
        { deadline: call.deadline, signal: call.signal },
      );
      logger.debug(
        { inputs: call.texts.length, tokens: tokenCount, role: call.role, ms: Math.round(performance.now() - started) },
        'embedded',
      );
      return vectors.map((values, i) => ({ values, tokenCount: encoded[i].ids.length, truncated: encoded[i].truncated }));
    } finally {
      metrics.queueDepth.set(this.queue.depth);
    }
  }

  readiness(): Readiness {
    if (this.shuttingDown) return { ready: false, reason: 'shutting_down' };
    const state = this.options.backend.state;
    if (state === 'ready') return { ready: true, reason: 'ready' };
    return { ready: false, reason: state === 'recovering' ? 'watchdog_tripped_recovering' : state };
  }

  /** Readiness off and no new work; resolves when queued and running work is done. */
  async drain(): Promise<void> {
    this.shuttingDown = true;
    this.options.metrics.ready.set(0);
    await this.queue.whenIdle();
  }

  /**
   * Tokenizing is synchronous and a long text costs tens of milliseconds, so
   * yield to the event loop between texts once a slice has run a few ms:
   * probes and other calls stay responsive while a big batch is tokenized.
   */
  private async tokenize(texts: readonly string[], role: Role) {
    const out = [];
    let slice = performance.now();
    for (const text of texts) {
      out.push(this.options.tokenizer.encode(this.modelText(role, text)));
      if (performance.now() - slice > 5) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    return out;
  }

  private async runFused(jobs: Job[]): Promise<Float32Array[][]> {
    const { metrics, backend, tokenizer } = this.options;
    const sequences = jobs.flatMap((j) => j.sequences);
    const batch = padBatch(sequences, tokenizer.padId);
    metrics.batchInputs.observe(batch.rows);
    metrics.paddedTokens.inc(batch.rows * batch.seqLen);
    const end = metrics.inferenceSeconds.startTimer();
    const vectors = await backend.embed(batch);
    end();
    const out: Float32Array[][] = [];
    let at = 0;
    for (const job of jobs) {
      out.push(vectors.slice(at, at + job.sequences.length));
      at += job.sequences.length;
    }
    return out;
  }
}
