import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { unavailable } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import type { PaddedBatch } from './batch.js';
import type { FromWorker, ToWorker } from './protocol.js';

export type BackendState = 'idle' | 'loading' | 'warming_up' | 'ready' | 'recovering' | 'stopped';

export interface WorkerBackendOptions {
  onnxPath: string;
  intraOpThreads: number;
  /** Let ONNX Runtime's idle threads spin (see EMBEDDER_ORT_SPINNING). */
  allowSpinning?: boolean;
  /** Attention heads of the model (config.json), for the load-time graph rewrite. */
  numHeads?: number;
  /** A run longer than this is declared wedged. */
  watchdogMs: number;
  /** A small batch that must succeed before the backend reports ready. */
  warmup: PaddedBatch;
  /** Worker entry module; tests substitute one that can wedge. */
  workerUrl?: URL;
  /** Passed to the worker as workerData (test workers read their fault plan here). */
  workerData?: unknown;
  /** Delay between failed recovery attempts. */
  restartBackoffMs?: number;
}

interface Pending {
  id: number;
  resolve: (v: Float32Array[]) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

const isTypeScript = import.meta.url.endsWith('.ts');
const defaultWorkerUrl = new URL(isTypeScript ? './onnx-worker.ts' : './onnx-worker.js', import.meta.url);

/**
 * In development the worker entry is TypeScript: a worker is a fresh isolate,
 * and Node 20 loads its entry before any --import hook, so a one-line
 * bootstrap registers tsx first. Compiled builds load the .js entry directly.
 */
function spawnWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Runs ONNX in a worker thread and supervises it. A run past the watchdog
 * limit turns readiness off at once, fails the run with UNAVAILABLE, and the
 * worker is terminated and recreated (session reloaded, warm-up re-run)
 * without restarting the process. It knows nothing of gRPC or queues.
 *
 * Events: 'state' (BackendState), 'tripped' (), 'run' ({rows, tokens, ms}).
 */
export class WorkerBackend extends EventEmitter {
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private current: BackendState = 'idle';

  constructor(private readonly options: WorkerBackendOptions) {
    super();
  }

  get state(): BackendState {
    return this.current;
  }

  /** Load the model and warm it up; resolves once ready. */
  async start(): Promise<void> {
    await this.spawnAndWarm();
  }

  /** Run one padded batch; one at a time (the queue guarantees it). */
  embed(batch: PaddedBatch): Promise<Float32Array[]> {
    if (this.current !== 'ready') {
      return Promise.reject(unavailable(`model is ${this.current.replace('_', ' ')}; retry shortly`, `backend_${this.current}`));
    }
    return this.run(batch);
  }

  async stop(): Promise<void> {
    this.setState('stopped');
    this.failPending(unavailable('embedder is shutting down', 'shutting_down'));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private setState(state: BackendState): void {
    if (this.current === state) return;
    if (this.current === 'stopped') return;
    this.current = state;
    this.emit('state', state);
  }

  private async spawnAndWarm(): Promise<void> {
    this.setState('loading');
    const worker = spawnWorker(this.options.workerUrl ?? defaultWorkerUrl, this.options.workerData);
    this.worker = worker;
    worker.on('message', (msg: FromWorker) => this.onMessage(worker, msg));
    worker.on('error', (err) => this.onWorkerDied(worker, `worker error: ${err.message}`));
    worker.on('exit', (code) => this.onWorkerDied(worker, `worker exited with code ${code}`));

    await new Promise<void>((resolve, reject) => {
      const onInit = (msg: FromWorker) => {
        if (msg.type === 'ready') {
          worker.off('message', onInit);
          resolve();
        } else if (msg.type === 'init-error') {
          worker.off('message', onInit);
          reject(new Error(`model failed to load: ${msg.message}`));
        }
      };
      worker.on('message', onInit);
      worker.once('exit', () => reject(new Error('worker exited while loading the model')));
      this.post({
        type: 'init',
        onnxPath: this.options.onnxPath,
        intraOpThreads: this.options.intraOpThreads,
        allowSpinning: this.options.allowSpinning ?? false,
        numHeads: this.options.numHeads,
      });
    });

    this.setState('warming_up');
    const started = performance.now();
    const [vector] = await this.run(this.options.warmup);
    logger.info({ dims: vector.length, warmupMs: Math.round(performance.now() - started) }, 'model warm-up succeeded');
    this.setState('ready');
  }

  private run(batch: PaddedBatch): Promise<Float32Array[]> {
    if (this.pending) return Promise.reject(new Error('backend runs one inference at a time'));
    const id = this.nextId++;
    const started = performance.now();
    return new Promise<Float32Array[]>((resolve, reject) => {
      const timer = setTimeout(() => this.trip(id), this.options.watchdogMs);
      this.pending = {
        id,
        timer,
        reject,
        resolve: (vectors) => {
          this.emit('run', { rows: batch.rows, tokens: batch.rows * batch.seqLen, ms: performance.now() - started });
          resolve(vectors);
        },
      };
      // Copy: the batch may be re-sent after a recovery, so never transfer it.
      this.post({ type: 'run', id, ...batch });
    });
  }

  private onMessage(worker: Worker, msg: FromWorker): void {
    if (worker !== this.worker) return;
    const pending = this.pending;
    if (!pending || (msg.type !== 'result' && msg.type !== 'run-error') || msg.id !== pending.id) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    if (msg.type === 'run-error') {
      pending.reject(unavailable(`inference failed: ${msg.message}`, 'inference_error'));
      return;
    }
    const rows: Float32Array[] = [];
    for (let r = 0; r < msg.vectors.length / msg.dims; r++) rows.push(msg.vectors.subarray(r * msg.dims, (r + 1) * msg.dims));
    pending.resolve(rows);
  }

  /** The watchdog fired: the run is wedged. */
  private trip(id: number): void {
    if (this.pending?.id !== id) return;
    logger.error({ watchdogMs: this.options.watchdogMs }, 'inference exceeded the watchdog limit; replacing the worker');
    this.emit('tripped');
    this.abandonWorker(`inference exceeded the watchdog limit of ${this.options.watchdogMs} ms`);
  }

  private onWorkerDied(worker: Worker, why: string): void {
    if (worker !== this.worker || this.current === 'stopped') return;
    logger.error({ why }, 'inference worker died; replacing it');
    this.abandonWorker(why);
  }

  /**
   * Readiness off, the in-flight run fails with UNAVAILABLE, the thread is
   * terminated. While serving, a restart loop brings a new worker up; during
   * a (re)start the failed warm-up makes that start attempt fail instead, so
   * there is never more than one restart loop.
   */
  private abandonWorker(why: string): void {
    const serving = this.current === 'ready';
    this.setState('recovering');
    this.failPending(unavailable(`${why}; the model is being reloaded, retry shortly`, 'watchdog'));
    const old = this.worker;
    this.worker = undefined;
    void old?.terminate();
    if (serving) void this.restartLoop();
  }

  private async restartLoop(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.isStopped()) return;
      try {
        await this.spawnAndWarm();
        logger.info({ attempt }, 'inference worker recovered');
        return;
      } catch (err) {
        logger.error({ attempt, err: err instanceof Error ? err.message : String(err) }, 'recovery attempt failed');
        const old = this.worker;
        this.worker = undefined;
        this.failPending(unavailable('model is recovering', 'recovering'));
        await old?.terminate();
        if (this.isStopped()) return;
        this.setState('recovering');
        await new Promise((r) => setTimeout(r, this.options.restartBackoffMs ?? 1000));
      }
    }
  }

  private isStopped(): boolean {
    return this.current === 'stopped';
  }

  private failPending(err: unknown): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
  }

  private post(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }
}
