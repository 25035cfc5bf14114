import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/**
 * When and how long to retry. Only UNAVAILABLE (server starting, recovering,
 * shutting down, unreachable) and RESOURCE_EXHAUSTED (queue full) are retried:
 * every other status is an answer, and asking again gets the same one.
 * Every polysearch call is idempotent (upsert by id and content hash, delete
 * by id), so a retry after a request that did land changes nothing.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; 1 disables retrying. */
  maxAttempts: number;
  /** Backoff ceiling of the first retry; it doubles per retry. */
  initialDelayMs: number;
  /** Upper bound of the backoff ceiling. (A wait the server asks for is honoured as sent; the deadline bounds it.) */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 2_000 };

const RETRYABLE: ReadonlySet<number> = new Set([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED]);

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

export function isRetryable(err: unknown): boolean {
  return isServiceError(err) && RETRYABLE.has(err.code);
}

/**
 * "Full jitter": uniform in [0, min(maxDelayMs, initialDelayMs · 2^(retry-1))).
 * Spreads clients that failed together instead of having them retry in step.
 * `retry` counts from 1 (the wait before the second attempt).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** The server's `retry-after-ms` trailer, when it sent a sane one. */
export function retryAfterMs(err: unknown): number | undefined {
  const metadata = isServiceError(err) ? err.metadata : undefined;
  if (!(metadata instanceof Metadata)) return undefined;
  const [value] = metadata.get('retry-after-ms');
  const ms = Number(typeof value === 'string' ? value : undefined);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export interface RetryContext {
  policy: RetryPolicy;
  /** Epoch ms after which no attempt starts and no wait ends. */
  deadline: number;
  signal?: AbortSignal;
  /** Seams for tests. */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait, e.g. to log or count retries. */
  onRetry?: (info: { attempt: number; delayMs: number; error: ServiceError }) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails with a status that is not
 * retryable, runs out of attempts, or the next wait would end past the
 * deadline; then the last error is thrown as it came from the server. A
 * server-sent `retry-after-ms` is a floor under the jittered backoff, so an
 * overloaded embedder is not asked again sooner than it said; when that is
 * past the deadline the call fails at once instead of waiting in vain.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  const now = ctx.now ?? Date.now;
  const wait = ctx.sleep ?? sleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isRetryable(err) || n >= ctx.policy.maxAttempts || ctx.signal?.aborted) throw err;
      const delayMs = Math.max(retryAfterMs(err) ?? 0, backoffDelayMs(n, ctx.policy, ctx.random));
      if (now() + delayMs >= ctx.deadline) throw err;
      ctx.onRetry?.({ attempt: n, delayMs, error: err as ServiceError });
      await wait(delayMs, ctx.signal);
    }
  }
}
