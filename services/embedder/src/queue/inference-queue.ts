import { cancelled, deadlineExceeded, resourceExhausted, type PolysearchError } from '../../../../shared/errors.js';

export interface SubmitOptions {
  /** Epoch ms after which the caller no longer wants the answer. */
  deadline?: number;
  /** Aborted when the caller cancels. */
  signal?: AbortSignal;
}

export type DropReason = 'queue_full' | 'deadline' | 'cancelled' | 'unavailable';

export interface InferenceQueueOptions<T, R> {
  /** Requests that may wait; past it submit() fails at once. */
  capacity: number;
  /** Bound on what one fused run may cost (see `cost`). */
  batchBudget: number;
  /** Cost of running these payloads together (e.g. padded tokens). */
  cost: (payloads: readonly T[]) => number;
  /** Runs a fused batch; returns one result per payload, in order. */
  execute: (payloads: T[]) => Promise<R[]>;
  /** Observability hooks; the queue itself stays free of metrics code. */
  onDrop?: (reason: DropReason) => void;
  onBatch?: (info: { requests: number; waitedMs: number[] }) => void;
}

interface Item<T, R> {
  payload: T;
  options: SubmitOptions;
  enqueuedAt: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
}

/**
 * A bounded FIFO in front of a single-slot executor: one run at a time, on
 * purpose, so a small CPU box stays predictable. Consecutive waiting requests
 * are fused into one run while their joint cost fits the budget. Requests
 * whose caller gave up are dropped before they cost a run.
 * Knows nothing of tokens, ONNX or gRPC.
 */
export class InferenceQueue<T, R> {
  private readonly items: Item<T, R>[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: InferenceQueueOptions<T, R>) {}

  /** Requests waiting (not counting the one running). */
  get depth(): number {
    return this.items.length;
  }

  get busy(): boolean {
    return this.running;
  }

  submit(payload: T, options: SubmitOptions = {}): Promise<R> {
    if (options.signal?.aborted) return this.refuse('cancelled', cancelled('caller cancelled the request'));
    if (this.items.length >= this.options.capacity) {
      return this.refuse(
        'queue_full',
        resourceExhausted(
          `inference queue is full (${this.options.capacity} requests waiting); retry with backoff or add embedder replicas`,
          'queue_full',
        ),
      );
    }
    return new Promise<R>((resolve, reject) => {
      const item: Item<T, R> = { payload, options, enqueuedAt: Date.now(), resolve, reject };
      if (options.signal) {
        // Free the slot at once; the run loop would skip it anyway.
        item.onAbort = () => this.removeAndReject(item, 'cancelled', cancelled('caller cancelled the request'));
        options.signal.addEventListener('abort', item.onAbort, { once: true });
      }
      this.items.push(item);
      this.pump();
    });
  }

  /** Fail every waiting request (e.g. the backend is recovering). */
  rejectAll(makeError: () => PolysearchError): void {
    for (const item of this.items.splice(0)) {
      this.detach(item);
      this.options.onDrop?.('unavailable');
      item.reject(makeError());
    }
    this.notifyIdle();
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.running && this.items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private refuse(reason: DropReason, err: PolysearchError): Promise<R> {
    this.options.onDrop?.(reason);
    return Promise.reject(err);
  }

  private removeAndReject(item: Item<T, R>, reason: DropReason, err: PolysearchError): void {
    const at = this.items.indexOf(item);
    if (at < 0) return;
    this.items.splice(at, 1);
    this.detach(item);
    this.options.onDrop?.(reason);
    item.reject(err);
    this.notifyIdle();
  }

  private detach(item: Item<T, R>): void {
    if (item.onAbort) item.options.signal?.removeEventListener('abort', item.onAbort);
  }

  /** Takes the longest run of live requests from the head that fits the budget. */
  private takeBatch(): Item<T, R>[] {
    const batch: Item<T, R>[] = [];
    const now = Date.now();
    while (this.items.length > 0) {
      const head = this.items[0];
      if (head.options.deadline !== undefined && head.options.deadline <= now) {
        this.removeAndReject(head, 'deadline', deadlineExceeded('deadline passed while waiting for the model', 'deadline'));
        continue;
      }
      if (head.options.signal?.aborted) {
        this.removeAndReject(head, 'cancelled', cancelled('caller cancelled the request'));
        continue;
      }
      // The first request always runs, even alone over budget; others join
      // only while the fused cost fits.
      if (batch.length > 0) {
        const cost = this.options.cost([...batch.map((i) => i.payload), head.payload]);
        if (cost > this.options.batchBudget) break;
      }
      batch.push(this.items.shift()!);
    }
    return batch;
  }

  private pump(): void {
    if (this.running) return;
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.running = true;
    for (const item of batch) this.detach(item);
    const now = Date.now();
    this.options.onBatch?.({ requests: batch.length, waitedMs: batch.map((i) => now - i.enqueuedAt) });
    let results: Promise<R[]>;
    try {
      results = this.options.execute(batch.map((i) => i.payload));
    } catch (err) {
      results = Promise.reject(err);
    }
    results
      .then(
        (out) => batch.forEach((item, i) => item.resolve(out[i])),
        (err: unknown) => batch.forEach((item) => item.reject(err)),
      )
      .finally(() => {
        this.running = false;
        this.pump();
        this.notifyIdle();
      });
  }

  private notifyIdle(): void {
    if (this.running || this.items.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
