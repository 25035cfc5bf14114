import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryable, retryAfterMs, withRetries, type RetryPolicy } from './retry.js';

function serviceError(code: status, trailers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(trailers)) metadata.set(k, v);
  return Object.assign(new Error(status[code]), { code, details: status[code], metadata }) as ServiceError;
}

const policy: RetryPolicy = { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs (exponential, full jitter)', () => {
  it('stays below a ceiling that doubles per retry and stops at maxDelayMs', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelayMs(n, policy, almostOne))).toEqual([99, 199, 399, 799, 999, 999, 999]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });

  it('spreads over the whole interval (not a fixed delay plus a little noise)', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 2_000 }, () => backoffDelayMs(4, policy, random));
    expect(Math.max(...delays)).toBeLessThan(800);
    expect(Math.min(...delays)).toBeLessThan(40);
    expect(Math.max(...delays)).toBeGreaterThan(760);
  });
});

describe('which failures are retried', () => {
  it('only UNAVAILABLE and RESOURCE_EXHAUSTED', () => {
    const retried = Object.values(status)
      .filter((c): c is status => typeof c === 'number')
      .filter((c) => isRetryable(serviceError(c)));
    expect(retried.sort()).toEqual([status.RESOURCE_EXHAUSTED, status.UNAVAILABLE].sort());
    expect(isRetryable(new Error('not a gRPC error'))).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('reads the trailer and ignores nonsense', () => {
    expect(retryAfterMs(serviceError(status.RESOURCE_EXHAUSTED, { 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(serviceError(status.RESOURCE_EXHAUSTED, { 'retry-after-ms': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(serviceError(status.RESOURCE_EXHAUSTED, { 'retry-after-ms': '-5' }))).toBeUndefined();
    expect(retryAfterMs(serviceError(status.RESOURCE_EXHAUSTED))).toBeUndefined();
  });
});

describe('withRetries (virtual clock)', () => {
  function harness(failures: ServiceError[], opts: { deadlineMs?: number; random?: () => number } = {}) {
    let clock = 0;
    const waits: number[] = [];
    const attempts: number[] = [];
    const run = withRetries(
      async (n) => {
        attempts.push(clock);
        const failure = failures[n - 1];
        if (failure) throw failure;
        return 'ok';
      },
      {
        policy,
        deadline: opts.deadlineMs ?? 60_000,
        now: () => clock,
        random: opts.random ?? (() => 0.5),
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      },
    );
    return { run, waits, attempts };
  }

  it('waits the jittered backoff between attempts and returns the first success', async () => {
    const h = harness([serviceError(status.UNAVAILABLE), serviceError(status.RESOURCE_EXHAUSTED), serviceError(status.UNAVAILABLE)]);
    await expect(h.run).resolves.toBe('ok');
    expect(h.waits).toEqual([50, 100, 200]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const errors = Array.from({ length: 20 }, () => serviceError(status.UNAVAILABLE));
    const h = harness(errors);
    await expect(h.run).rejects.toBe(errors[policy.maxAttempts - 1]);
    expect(h.attempts).toHaveLength(policy.maxAttempts);
  });

  it('never waits past the deadline: it fails with the last error instead', async () => {
    const errors = Array.from({ length: 20 }, () => serviceError(status.UNAVAILABLE));
    const h = harness(errors, { deadlineMs: 1_000, random: () => 0.999 });
    await expect(h.run).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(h.attempts.every((t) => t < 1_000)).toBe(true);
    expect(h.waits.reduce((a, b) => a + b, 0)).toBeLessThan(1_000);
  });

  it("honours the server's retry-after-ms as a floor under the backoff", async () => {
    const h = harness([serviceError(status.RESOURCE_EXHAUSTED, { 'retry-after-ms': '700' }), serviceError(status.RESOURCE_EXHAUSTED, { 'retry-after-ms': '1' })]);
    await expect(h.run).resolves.toBe('ok');
    expect(h.waits).toEqual([700, 100]);
  });

  it('fails at once when the server asks for a wait longer than the time left', async () => {
    const h = harness([serviceError(status.RESOURCE_EXHAUSTED, { 'retry-after-ms': '5000' })], { deadlineMs: 1_000 });
    await expect(h.run).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    expect(h.waits).toEqual([]);
  });

  it('does not retry an answer (INVALID_ARGUMENT, NOT_FOUND, DEADLINE_EXCEEDED, INTERNAL, …)', async () => {
    for (const code of [status.INVALID_ARGUMENT, status.NOT_FOUND, status.DEADLINE_EXCEEDED, status.INTERNAL, status.FAILED_PRECONDITION, status.CANCELLED]) {
      const h = harness([serviceError(code)]);
      await expect(h.run).rejects.toMatchObject({ code });
      expect(h.attempts, status[code]).toHaveLength(1);
    }
  });
});
