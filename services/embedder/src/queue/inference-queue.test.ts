import { describe, expect, it } from 'vitest';
import { InferenceQueue, type DropReason } from './inference-queue.js';

/** A controllable executor: each run waits until the test releases it. */
function harness(capacity = 2, batchBudget = 10) {
  const runs: number[][] = [];
  const releases: (() => void)[] = [];
  const drops: DropReason[] = [];
  const queue = new InferenceQueue<number, string>({
    capacity,
    batchBudget,
    cost: (payloads) => payloads.reduce((a, b) => a + b, 0),
    execute: (payloads) => {
      runs.push(payloads);
      return new Promise((resolve) => releases.push(() => resolve(payloads.map((p) => `done ${p}`))));
    },
    onDrop: (reason) => drops.push(reason),
  });
  const releaseNext = async () => {
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { queue, runs, drops, releaseNext };
}

describe('InferenceQueue', () => {
  it('runs one batch at a time and fuses waiting requests within the budget', async () => {
    const { queue, runs, releaseNext } = harness(10, 10);
    const first = queue.submit(1);
    const rest = [queue.submit(4), queue.submit(5), queue.submit(3)];
    expect(runs).toEqual([[1]]);
    await releaseNext();
    // 4+5 fit the budget of 10; 3 would not.
    expect(runs).toEqual([[1], [4, 5]]);
    await releaseNext();
    expect(runs).toEqual([[1], [4, 5], [3]]);
    await releaseNext();
    expect(await first).toBe('done 1');
    expect(await Promise.all(rest)).toEqual(['done 4', 'done 5', 'done 3']);
  });

  it('answers RESOURCE_EXHAUSTED at once when the queue is full', async () => {
    const { queue, drops } = harness(2);
    void queue.submit(1); // running
    void queue.submit(1);
    void queue.submit(1);
    await expect(queue.submit(1)).rejects.toMatchObject({ kind: 'resource_exhausted', reason: 'queue_full' });
    expect(drops).toEqual(['queue_full']);
    expect(queue.depth).toBe(2);
  });

  it('drops a request whose deadline passed while queued without running it', async () => {
    const { queue, runs, releaseNext } = harness(5, 1);
    const running = queue.submit(1);
    const expired = queue.submit(1, { deadline: Date.now() + 20 }).catch((e: unknown) => e);
    const live = queue.submit(1);
    await new Promise((r) => setTimeout(r, 40));
    await releaseNext();
    expect(await expired).toMatchObject({ kind: 'deadline_exceeded' });
    expect(runs).toEqual([[1], [1]]); // the expired one never reached execute
    await releaseNext();
    await expect(running).resolves.toBe('done 1');
    await expect(live).resolves.toBe('done 1');
  });

  it('frees the slot of a cancelled caller at once and never runs it', async () => {
    const { queue, runs, drops, releaseNext } = harness(5);
    void queue.submit(1);
    const controller = new AbortController();
    const cancelledCall = queue.submit(2, { signal: controller.signal });
    expect(queue.depth).toBe(1);
    controller.abort();
    await expect(cancelledCall).rejects.toMatchObject({ kind: 'cancelled' });
    expect(queue.depth).toBe(0);
    await releaseNext();
    expect(runs).toEqual([[1]]);
    expect(drops).toEqual(['cancelled']);
  });

  it('runs a single request over budget alone rather than starving it', async () => {
    const { queue, runs, releaseNext } = harness(5, 3);
    const big = queue.submit(50);
    expect(runs).toEqual([[50]]);
    await releaseNext();
    await expect(big).resolves.toBe('done 50');
  });

  it('rejectAll fails every waiting request with the given error', async () => {
    const { queue, releaseNext } = harness(5);
    void queue.submit(1);
    const waiting = [queue.submit(2), queue.submit(3)];
    const { unavailable } = await import('../../../../shared/errors.js');
    queue.rejectAll(() => unavailable('model is recovering'));
    for (const w of waiting) await expect(w).rejects.toMatchObject({ kind: 'unavailable' });
    await releaseNext();
    await queue.whenIdle();
  });

  it('propagates an executor failure to every request of the batch and keeps serving', async () => {
    let fail = true;
    const queue = new InferenceQueue<number, number>({
      capacity: 5,
      batchBudget: 100,
      cost: (p) => p.length,
      execute: async (p) => {
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        return p;
      },
    });
    await expect(queue.submit(1)).rejects.toThrow('boom');
    await expect(queue.submit(2)).resolves.toBe(2);
  });
});
