import * as grpc from '@grpc/grpc-js';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { isPolysearchError, unavailable } from '../../../../shared/errors.js';
import {
  EmbedderClient as GeneratedClient,
  InputType,
  type EmbedResponse,
  type InfoResponse,
  type ModelFingerprint,
} from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import { logger } from '../../../../shared/logger.js';

export interface EmbedderClientOptions {
  addresses: string[];
  queryTimeoutMs: number;
  passageTimeoutMs: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  /** Width of the vector column; a model of another width is refused, not stored. */
  expectedDimensions: number;
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Longest wait between reconnect attempts to an embedder that is down (default 1 s; grpc-js alone: 120 s). */
  reconnectBackoffMaxMs?: number;
}

export const DEFAULT_RECONNECT_BACKOFF_MAX_MS = 1_000;

/**
 * Channel options of every embedder channel. grpc-js backs off reconnect
 * attempts exponentially up to 120 s, so after a long outage the channel
 * could notice a recovered embedder only minutes later (29 s after a 90 s
 * outage in issue 7). Capped at about a second, a channel retries that often
 * — a TCP connect per second per address while the embedder is down, which
 * costs nothing — and semantic search is back within seconds of readiness.
 */
export function embedderChannelOptions(o: Pick<EmbedderClientOptions, 'channelOptions' | 'reconnectBackoffMaxMs'>): grpc.ChannelOptions {
  const maxBackoff = o.reconnectBackoffMaxMs ?? DEFAULT_RECONNECT_BACKOFF_MAX_MS;
  return {
    // A dns:/// name resolving to every replica (a headless Service) is
    // balanced per call, not pinned to the first address.
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.initial_reconnect_backoff_ms': Math.min(250, maxBackoff),
    'grpc.max_reconnect_backoff_ms': maxBackoff,
    ...o.channelOptions,
  };
}

export interface Embedded {
  vectors: number[][];
  fingerprint: ModelFingerprint;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/** Only these mean "the embedder cannot serve now"; anything else is our bug or bad input. */
const TRANSIENT = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);

function isTransient(err: unknown): boolean {
  return typeof (err as grpc.ServiceError)?.code === 'number' && TRANSIENT.has((err as grpc.ServiceError).code);
}

const REASON_BY_CODE: Partial<Record<grpc.status, string>> = {
  [grpc.status.UNAVAILABLE]: 'embedder_unavailable',
  [grpc.status.DEADLINE_EXCEEDED]: 'embedder_timeout',
  [grpc.status.RESOURCE_EXHAUSTED]: 'embedder_overloaded',
};

/**
 * The search side's view of the embedder: deadlines on every call, several
 * addresses balanced round-robin, and a circuit breaker (cockatiel) that
 * counts only UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED. While it
 * is open, calls fail at once with reason "circuit_open", so searches degrade
 * to keywords without waiting on timeouts; after breakerHalfOpenMs one probe
 * call is let through and its success closes the circuit. That probe does
 * not wait for traffic: a timer sends one while the circuit is open — a
 * one-word query embedding, not Info, which a still-loading embedder answers
 * too — so the circuit closes as soon as the embedder can embed again.
 */
export class EmbedderClient {
  private readonly clients: GeneratedClient[];
  private next = 0;
  private readonly breaker: CircuitBreakerPolicy;
  private lastFingerprint: ModelFingerprint | undefined;
  private lastInfo: InfoResponse | undefined;
  private readonly probeTimer: NodeJS.Timeout;

  constructor(private readonly options: EmbedderClientOptions) {
    const channelOptions = embedderChannelOptions(options);
    const creds = options.credentials ?? grpc.credentials.createInsecure();
    this.clients = options.addresses.map((address) => new GeneratedClient(address, creds, channelOptions));
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    });
    this.breaker.onBreak(() => logger.warn({ addresses: options.addresses.length }, 'embedder circuit opened: searches degrade to keyword'));
    this.breaker.onReset(() => logger.info('embedder circuit closed: semantic search is back'));
    // While open, a call after breakerHalfOpenMs is the probe; do not leave that to traffic.
    this.probeTimer = setInterval(() => this.probeIfOpen(), Math.min(1_000, options.breakerHalfOpenMs));
    this.probeTimer.unref();
  }

  private probeIfOpen(): void {
    // Before breakerHalfOpenMs has passed the breaker refuses at once; after, this is the one probe.
    if (this.breaker.state === CircuitState.Open) this.embedQuery('probe').catch(() => undefined);
  }

  get breakerState(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half_open';
      default:
        return 'open';
    }
  }

  /** The last Info answer (batch limit, fixture flag); the backfill asks every pass. */
  get lastKnownInfo(): InfoResponse | undefined {
    return this.lastInfo;
  }

  /** The fingerprint of the last successful answer (undefined before any). */
  get fingerprint(): ModelFingerprint | undefined {
    return this.lastFingerprint;
  }

  async embedQuery(text: string): Promise<{ vector: number[]; fingerprint: ModelFingerprint }> {
    const { vectors, fingerprint } = await this.embed([text], InputType.INPUT_TYPE_QUERY, this.options.queryTimeoutMs);
    return { vector: vectors[0], fingerprint };
  }

  embedPassages(texts: string[]): Promise<Embedded> {
    return this.embed(texts, InputType.INPUT_TYPE_PASSAGE, this.options.passageTimeoutMs);
  }

  info(): Promise<InfoResponse> {
    return this.guarded<InfoResponse>(this.options.queryTimeoutMs * 10, (client, deadline, done) =>
      client.info({}, new grpc.Metadata(), { deadline }, done),
    ).then((info) => {
      this.lastInfo = info;
      if (info.model) this.lastFingerprint = this.compatible(info.model);
      return info;
    });
  }

  close(): void {
    clearInterval(this.probeTimer);
    for (const c of this.clients) c.close();
  }

  private async embed(texts: string[], inputType: InputType, timeoutMs: number): Promise<Embedded> {
    const res = await this.guarded<EmbedResponse>(timeoutMs, (client, deadline, done) =>
      client.embed({ texts, inputType }, new grpc.Metadata(), { deadline }, done),
    );
    if (!res.model || res.embeddings.length !== texts.length) {
      throw unavailable('embedder answered without vectors or fingerprint', 'embedder_bad_answer');
    }
    this.lastFingerprint = this.compatible(res.model);
    return { vectors: res.embeddings.map((e) => e.values), fingerprint: res.model };
  }

  /**
   * A model of another width than the vector column is a deployment mistake,
   * not an outage of one call: refuse its vectors (documents stay pending,
   * searches degrade to keyword) with a message that says what to change.
   */
  private compatible(model: ModelFingerprint): ModelFingerprint {
    if (model.dimensions !== this.options.expectedDimensions) {
      this.lastFingerprint = undefined;
      logger.error({ modelDims: model.dimensions, columnDims: this.options.expectedDimensions, modelId: model.modelId }, 'embedder model width differs from EMBEDDING_DIMENSIONS');
      throw unavailable(
        `embedder model ${model.modelId} has ${model.dimensions} dimensions but the index stores ${this.options.expectedDimensions} (EMBEDDING_DIMENSIONS)`,
        'dimensions_mismatch',
      );
    }
    return model;
  }

  private async guarded<T>(
    timeoutMs: number,
    call: (client: GeneratedClient, deadline: number, done: (err: grpc.ServiceError | null, res: T) => void) => void,
  ): Promise<T> {
    try {
      return await this.breaker.execute(
        () =>
          new Promise<T>((resolve, reject) => {
            const client = this.clients[this.next++ % this.clients.length];
            call(client, Date.now() + timeoutMs, (err, res) => (err ? reject(err) : resolve(res)));
          }),
      );
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    if (isPolysearchError(err)) return err;
    if (err instanceof BrokenCircuitError) {
      return unavailable('embedder circuit is open after repeated failures', 'circuit_open');
    }
    const code = (err as grpc.ServiceError)?.code;
    const reason = REASON_BY_CODE[code as grpc.status];
    if (reason) return unavailable(`embedder: ${(err as grpc.ServiceError).details || grpc.status[code]}`, reason, err);
    // Not transient (e.g. INVALID_ARGUMENT): a contract problem, not an outage.
    logger.error({ code }, 'embedder refused a call');
    return unavailable(`embedder refused the call (${grpc.status[code] ?? 'unknown'})`, 'embedder_refused', err);
  }
}

/**
 * The embedder's words when it refused the input of a call as invalid
 * (INVALID_ARGUMENT: a text over EMBEDDER_MAX_INPUT_BYTES, an empty text, too
 * many texts), else undefined. Such a refusal is about these texts, not an
 * outage: passages are split and the refused one set aside with this reason.
 * The embedder's messages name sizes and limits, never the text itself.
 */
export function inputRefusal(err: unknown): string | undefined {
  if (!isPolysearchError(err) || err.reason !== 'embedder_refused') return undefined;
  const cause = err.cause as Partial<grpc.ServiceError> | undefined;
  if (cause?.code !== grpc.status.INVALID_ARGUMENT) return undefined;
  return `INVALID_ARGUMENT: ${cause.details || 'refused'}`;
}
