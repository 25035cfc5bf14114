import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedderService, type EmbedderServer } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import { EmbedderClient, embedderChannelOptions, inputRefusal } from './embedder-client.js';

/** A scripted embedder: answers each call with the next planned status (OK when the plan is empty). */
async function fakeEmbedder(dims = 4) {
  const plan: grpc.status[] = [];
  let calls = 0;
  const model = { modelId: 'fake', onnxSha256: 'x', profile: 'e5', pooling: 'mean', normalized: true, dimensions: dims, maxTokens: 512, digest: 'd1' };
  const impl: EmbedderServer = {
    embed: (call, cb) => {
      calls++;
      const code = plan.shift() ?? grpc.status.OK;
      if (code !== grpc.status.OK) return cb({ code, details: `scripted ${grpc.status[code]}` });
      cb(null, { embeddings: call.request.texts.map(() => ({ values: Array(dims).fill(0.5), tokenCount: 3, truncated: false })), model });
    },
    info: (_call, cb) => cb(null, { model, maxInputs: 8, maxInputBytes: 100, queueCapacity: 1, fixture: true }),
  };
  const server = new grpc.Server();
  server.addService(EmbedderService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, plan, calls: () => calls, stop: () => server.forceShutdown() };
}

const options = { queryTimeoutMs: 2_000, passageTimeoutMs: 2_000, breakerFailures: 2, breakerHalfOpenMs: 300, expectedDimensions: 4 };
let a: Awaited<ReturnType<typeof fakeEmbedder>>;
let b: Awaited<ReturnType<typeof fakeEmbedder>>;

beforeAll(async () => {
  a = await fakeEmbedder();
  b = await fakeEmbedder();
});
afterAll(() => {
  a.stop();
  b.stop();
});

describe('EmbedderClient circuit breaker', () => {
  it('does not count errors that are not outages (INVALID_ARGUMENT)', async () => {
    const client = new EmbedderClient({ ...options, addresses: [`127.0.0.1:${a.port}`] });
    a.plan.push(grpc.status.INVALID_ARGUMENT, grpc.status.INVALID_ARGUMENT, grpc.status.INVALID_ARGUMENT);
    for (let i = 0; i < 3; i++) await expect(client.embedQuery('q')).rejects.toMatchObject({ reason: 'embedder_refused' });
    expect(client.breakerState).toBe('closed');
    await expect(client.embedQuery('q')).resolves.toMatchObject({ fingerprint: { digest: 'd1' } });
    client.close();
  });

  it('tells an input refusal (INVALID_ARGUMENT, with the message of the embedder) from other refusals and outages', async () => {
    const client = new EmbedderClient({ ...options, addresses: [`127.0.0.1:${a.port}`] });
    const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);
    a.plan.push(grpc.status.INVALID_ARGUMENT);
    expect(inputRefusal(await errorOf(client.embedPassages(['p'])))).toBe('INVALID_ARGUMENT: scripted INVALID_ARGUMENT');
    a.plan.push(grpc.status.FAILED_PRECONDITION);
    expect(inputRefusal(await errorOf(client.embedPassages(['p'])))).toBeUndefined();
    a.plan.push(grpc.status.UNAVAILABLE);
    expect(inputRefusal(await errorOf(client.embedPassages(['p'])))).toBeUndefined();
    client.close();
  });

  it('opens after consecutive UNAVAILABLE/RESOURCE_EXHAUSTED, fails fast while open, and a half-open probe closes it', async () => {
    const client = new EmbedderClient({ ...options, addresses: [`127.0.0.1:${a.port}`] });
    a.plan.push(grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED);
    await expect(client.embedQuery('q')).rejects.toMatchObject({ kind: 'unavailable', reason: 'embedder_unavailable' });
    await expect(client.embedQuery('q')).rejects.toMatchObject({ reason: 'embedder_overloaded' });
    expect(client.breakerState).toBe('open');
    const before = a.calls();
    await expect(client.embedQuery('q')).rejects.toMatchObject({ reason: 'circuit_open' });
    expect(a.calls()).toBe(before); // never reached the embedder
    await new Promise((r) => setTimeout(r, 350));
    await expect(client.embedQuery('q')).resolves.toBeDefined();
    expect(client.breakerState).toBe('closed');
    client.close();
  });

  it('refuses vectors of a model whose width differs from the column', async () => {
    const client = new EmbedderClient({ ...options, expectedDimensions: 384, addresses: [`127.0.0.1:${a.port}`] });
    await expect(client.embedPassages(['p'])).rejects.toMatchObject({ kind: 'unavailable', reason: 'dimensions_mismatch' });
    expect(client.fingerprint).toBeUndefined();
    client.close();
  });
});

describe('EmbedderClient recovery', () => {
  it('probes an open circuit on a timer, so it closes without any traffic once the embedder answers', async () => {
    const client = new EmbedderClient({ ...options, addresses: [`127.0.0.1:${a.port}`] });
    a.plan.push(grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE);
    await expect(client.embedQuery('q')).rejects.toMatchObject({ reason: 'embedder_unavailable' });
    await expect(client.embedQuery('q')).rejects.toMatchObject({ reason: 'embedder_unavailable' });
    expect(client.breakerState).toBe('open');
    // No call from here on: only the client's own probe can close it.
    await new Promise((r) => setTimeout(r, options.breakerHalfOpenMs + 1_200));
    expect(client.breakerState).toBe('closed');
    client.close();
  });

  it('caps the reconnect backoff of its channels (grpc-js would grow it towards 120 s)', () => {
    const o = embedderChannelOptions({});
    expect(o['grpc.max_reconnect_backoff_ms']).toBeLessThanOrEqual(1_000);
    expect(o['grpc.initial_reconnect_backoff_ms']).toBeLessThanOrEqual(o['grpc.max_reconnect_backoff_ms'] as number);
    expect(embedderChannelOptions({ reconnectBackoffMaxMs: 3_000 })['grpc.max_reconnect_backoff_ms']).toBe(3_000);
    // TLS options ride along.
    expect(embedderChannelOptions({ channelOptions: { 'grpc.ssl_target_name_override': 'x' } })['grpc.ssl_target_name_override']).toBe('x');
  });
});

describe('EmbedderClient balancing', () => {
  it('spreads calls round-robin over several addresses', async () => {
    const client = new EmbedderClient({ ...options, addresses: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] });
    const [ca, cb] = [a.calls(), b.calls()];
    for (let i = 0; i < 6; i++) await client.embedQuery(`q${i}`);
    expect(a.calls() - ca).toBe(3);
    expect(b.calls() - cb).toBe(3);
    client.close();
  });
});
