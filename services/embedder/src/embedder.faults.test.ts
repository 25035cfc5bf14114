import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { embedderClient, InputType, statusOf } from '../../../test/support/embedder-client.js';
import type { FaultPlan } from '../../../test/support/faulty-worker.js';
import { healthCheck } from '../../../test/support/grpc-probes.js';
import { httpStatus, waitFor } from '../../../test/support/service-process.js';
import { startEmbedder, type EmbedderApp } from './app.js';
import { loadEmbedderConfig } from './config.js';

/**
 * Supervisor behaviour under real faults: the worker thread is the production
 * one plus a fault plan that makes a run stall or wedge for real.
 */
const faultyWorker = new URL('../../../test/support/faulty-worker.ts', import.meta.url);
let app: EmbedderApp | undefined;
let client: ReturnType<typeof embedderClient> | undefined;

async function start(plan: FaultPlan, env: Record<string, string> = {}) {
  const config = loadEmbedderConfig({
    MODEL_DIR: process.env.POLYSEARCH_TINY_MODEL_DIR,
    EMBEDDER_GRPC_HOST: '127.0.0.1',
    EMBEDDER_GRPC_PORT: '0',
    EMBEDDER_HTTP_HOST: '127.0.0.1',
    EMBEDDER_HTTP_PORT: '0',
    EMBEDDER_INTRA_OP_THREADS: '1',
    ...env,
  });
  app = await startEmbedder(config, { workerUrl: faultyWorker, workerData: plan });
  client = embedderClient(app.grpcPort);
  let runs = 0;
  app.backend.on('run', () => runs++);
  return { app, client, runs: () => runs };
}

const texts = (n: number) => Array.from({ length: n }, (_, i) => `text ${i}`);

afterEach(async () => {
  client?.close();
  await app?.shutdown();
  app = undefined;
  client = undefined;
});

describe('readiness', () => {
  it('answers /readyz 503 until the warm-up inference has succeeded, then 200', async () => {
    const { app } = await start({ stallFirstRunMs: 1500 });
    expect(await httpStatus(app.httpPort, '/readyz')).toBe(503);
    expect(await healthCheck(app.grpcPort)).toBe('NOT_SERVING');
    const early = await statusOf(client!.embed({ texts: ['x'], inputType: InputType.INPUT_TYPE_QUERY }));
    expect(early.code).toBe(status.UNAVAILABLE);
    await app.ready;
    expect(await httpStatus(app.httpPort, '/readyz')).toBe(200);
    expect(await healthCheck(app.grpcPort)).toBe('SERVING');
  });
});

describe('queue', () => {
  it('answers RESOURCE_EXHAUSTED at once when the queue is full', async () => {
    const { app, client } = await start({ stallOnRows: 5, stallMs: 1500 }, { EMBEDDER_QUEUE_CAPACITY: '2' });
    await app.ready;
    const slow = client.embed({ texts: texts(5), inputType: InputType.INPUT_TYPE_PASSAGE });
    await waitFor(async () => app.core.busy);
    const queued = [1, 2].map(() => client.embed({ texts: ['q'], inputType: InputType.INPUT_TYPE_QUERY }));
    await waitFor(async () => app.core.queueDepth === 2);
    const started = Date.now();
    const refused = await statusOf(client.embed({ texts: ['q'], inputType: InputType.INPUT_TYPE_QUERY }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/queue is full \(2 requests waiting\)/);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(slow).resolves.toBeDefined();
    await expect(Promise.all(queued)).resolves.toHaveLength(2);
  });

  it('never runs a queued request whose deadline passed', async () => {
    const { app, client, runs } = await start({ stallOnRows: 5, stallMs: 1200 });
    await app.ready;
    const before = runs();
    const slow = client.embed({ texts: texts(5), inputType: InputType.INPUT_TYPE_PASSAGE });
    await waitFor(async () => app.core.busy); // slow is running
    const expired = await statusOf(client.embed({ texts: ['late'], inputType: InputType.INPUT_TYPE_QUERY }, 200));
    expect(expired.code).toBe(status.DEADLINE_EXCEEDED);
    await slow;
    await app.core.drain();
    // Only the slow request ran: the expired one never reached the backend.
    expect(runs() - before).toBe(1);
  });
});

describe('watchdog', () => {
  it('trips on a wedged inference: /readyz 503 at once, callers UNAVAILABLE, then heals to 200 without a restart', async () => {
    const { app, client } = await start({ wedgeOnRows: 3 }, { EMBEDDER_WATCHDOG_MS: '400' });
    await app.ready;
    expect(await httpStatus(app.httpPort, '/readyz')).toBe(200);

    const wedged = statusOf(client.embed({ texts: texts(3), inputType: InputType.INPUT_TYPE_PASSAGE }));
    await waitFor(async () => app.core.busy);
    const queuedBehind = statusOf(client.embed({ texts: ['behind'], inputType: InputType.INPUT_TYPE_QUERY }));

    const wedgedErr = await wedged;
    expect(wedgedErr.code).toBe(status.UNAVAILABLE);
    expect(wedgedErr.details).toMatch(/watchdog/);
    expect((await queuedBehind).code).toBe(status.UNAVAILABLE);
    // Readiness turned off at the trip, before the new worker is up.
    expect(['recovering', 'loading', 'warming_up']).toContain(app.backend.state);
    expect(await httpStatus(app.httpPort, '/readyz')).toBe(503);

    await waitFor(async () => (await httpStatus(app.httpPort, '/readyz')) === 200, 30_000);
    expect(await healthCheck(app.grpcPort)).toBe('SERVING');
    const after = await client.embed({ texts: ['healed'], inputType: InputType.INPUT_TYPE_QUERY });
    expect(after.embeddings).toHaveLength(1);
    const metrics = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/embedder_watchdog_trips_total 1/);
  });
});
