import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeTestPki, type TestPki } from '../../test/support/certs.js';
import { InputType } from '../generated/polysearch/embedder/v1/embedder.js';
import { SearchMode } from '../generated/polysearch/search/v1/search.js';
import { serverCredentials } from '../grpc/tls.js';
import { PolysearchEmbedderClient, PolysearchSearchClient, type ClientOptions } from './index.js';
import { startFakeServer, type FakeServer } from './test-support/fake-server.js';

/** The clients against a scripted grpc-js server on loopback: what goes over the wire, and when. */
let fake: FakeServer;
let search: PolysearchSearchClient;
let embedder: PolysearchEmbedderClient;
const fast: ClientOptions['retry'] = { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 80 };

beforeAll(async () => {
  fake = await startFakeServer();
  search = new PolysearchSearchClient({ address: fake.address, retry: fast });
  embedder = new PolysearchEmbedderClient({ address: fake.address, retry: fast });
});
afterAll(async () => {
  search.close();
  embedder.close();
  await fake.stop();
});
beforeEach(() => fake.reset());

const unavailable = { code: grpc.status.UNAVAILABLE };
const exhausted = { code: grpc.status.RESOURCE_EXHAUSTED };
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('retries', () => {
  it('retries UNAVAILABLE and RESOURCE_EXHAUSTED until an answer comes', async () => {
    fake.script('upsert', unavailable, exhausted, unavailable, { ok: { inserted: 0, updated: 0, unchanged: 2, pending: 0 } });
    const res = await search.upsert([{ tenantId: 'acme', id: 'a', content: 'x' }, { tenantId: 'acme', id: 'b' }]);
    expect(res.unchanged).toBe(2);
    expect(fake.calls('upsert')).toHaveLength(4);
  });

  for (const code of [grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.FAILED_PRECONDITION, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.PERMISSION_DENIED]) {
    it(`does not retry ${grpc.status[code]}: the caller gets it after one attempt`, async () => {
      fake.script('get', { code, details: 'tenant_id is required' });
      await expect(search.get('acme', 'a')).rejects.toMatchObject({ code, details: 'tenant_id is required' });
      expect(fake.calls('get')).toHaveLength(1);
    });
  }

  it('stops after maxAttempts, with backoff that never exceeds maxDelayMs', async () => {
    fake.script('stats', unavailable);
    await expect(search.stats('acme', { retry: { maxAttempts: 6 } })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    const times = fake.calls('stats').map((c) => c.at);
    expect(times).toHaveLength(6);
    // Each gap is one backoff (< 80 ms) plus a loopback round trip; generous slack for a busy machine.
    for (const gap of gaps(times)) expect(gap).toBeLessThan(80 + 400);
  });

  it('retry: false makes exactly one attempt', async () => {
    fake.script('search', unavailable);
    await expect(search.search({ tenantId: 'acme', query: 'q' }, { retry: false })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(fake.calls('search')).toHaveLength(1);
  });

  it("waits at least the server's retry-after-ms before asking again", async () => {
    fake.script('embed', { code: grpc.status.RESOURCE_EXHAUSTED, trailers: { 'retry-after-ms': '300' } }, { ok: { embeddings: [] } });
    await embedder.embed(['hello'], 'query');
    const [first, second] = fake.calls('embed').map((c) => c.at);
    expect(second - first).toBeGreaterThanOrEqual(300);
  });

  it('fails at once when retry-after-ms is past the deadline, instead of waiting for nothing', async () => {
    fake.script('embed', { code: grpc.status.RESOURCE_EXHAUSTED, trailers: { 'retry-after-ms': '5000' } });
    const started = Date.now();
    await expect(embedder.embed(['hello'], 'passage', { deadlineMs: 1_000 })).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    expect(Date.now() - started).toBeLessThan(500);
    expect(fake.calls('embed')).toHaveLength(1);
  });
});

describe('deadlines', () => {
  it('send the remaining budget with every attempt, so the server can drop work nobody waits for', async () => {
    const slowDown = { code: grpc.status.UNAVAILABLE, trailers: { 'retry-after-ms': '300' } };
    fake.script('search', slowDown, slowDown, { ok: {} });
    const started = Date.now();
    await search.search({ tenantId: 'acme', query: 'q' }, { deadlineMs: 2_000 });
    const deadlines = fake.calls('search').map((c) => c.deadline!);
    expect(deadlines).toHaveLength(3);
    // The third attempt starts 600 ms in, and still carries the original deadline (a fresh one would
    // be ≥ 600 ms later; the margin absorbs scheduling delay on a busy machine).
    for (const d of deadlines) expect(Math.abs(d - (started + 2_000))).toBeLessThan(300);
  });

  it('a hanging server: DEADLINE_EXCEEDED at the deadline, not retried', async () => {
    fake.script('search', 'hang');
    const started = Date.now();
    await expect(search.search({ tenantId: 'acme', query: 'q' }, { deadlineMs: 300 })).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.calls('search')).toHaveLength(1);
  });

  it('bound the retries: an always-UNAVAILABLE server costs at most the deadline', async () => {
    fake.script('stats', unavailable);
    const started = Date.now();
    const err = await search.stats('', { deadlineMs: 400, retry: { maxAttempts: 1_000 } }).catch((e: grpc.ServiceError) => e);
    // The last attempt may itself run into the deadline on a busy machine.
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain((err as grpc.ServiceError).code);
    expect(Date.now() - started).toBeLessThan(400 + 400); // slack for a busy machine; unbounded would be ~40 s
    expect(fake.calls('stats').length).toBeLessThan(1_000);
  });

  it('use the client default when the call sets none', async () => {
    const client = new PolysearchSearchClient({ address: fake.address, defaultDeadlineMs: 1_234 });
    try {
      const started = Date.now();
      await client.stats('default-deadline');
      // Found by tenant: an attempt of the previous test may still arrive after the reset.
      const call = fake.calls('stats').find((c) => (c.request as { tenantId: string }).tenantId === 'default-deadline')!;
      expect(Math.abs(call.deadline! - (started + 1_234))).toBeLessThan(100);
    } finally {
      client.close();
    }
  });

  it('an AbortSignal cancels the call in flight', async () => {
    fake.script('search', 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(search.search({ tenantId: 'acme', query: 'q' }, { signal: controller.signal })).rejects.toMatchObject({ code: grpc.status.CANCELLED });
  });
});

describe('requests', () => {
  it('fill defaults for omitted fields and carry metadata', async () => {
    await search.search({ tenantId: 'acme', query: 'rechnung', mode: SearchMode.SEARCH_MODE_KEYWORD, limit: 5 }, { metadata: { 'x-request-id': 'r1' } });
    const [call] = fake.calls('search');
    expect(call.request).toMatchObject({ tenantId: 'acme', query: 'rechnung', mode: SearchMode.SEARCH_MODE_KEYWORD, limit: 5, locale: '', pageToken: '' });
    expect(call.metadata.get('x-request-id')).toEqual(['r1']);
    await search.delete('acme', ['a', 'b']);
    expect(fake.calls('delete')[0].request).toMatchObject({ tenantId: 'acme', ids: ['a', 'b'] });
  });

  it('embed sends the role it is given (names or the enum)', async () => {
    await embedder.embed(['q'], 'query');
    await embedder.embed(['p'], 'passage');
    await embedder.embed(['u'], InputType.INPUT_TYPE_UNSPECIFIED);
    expect(fake.calls('embed').map((c) => (c.request as { inputType: InputType }).inputType)).toEqual([
      InputType.INPUT_TYPE_QUERY,
      InputType.INPUT_TYPE_PASSAGE,
      InputType.INPUT_TYPE_UNSPECIFIED,
    ]);
    await expect(embedder.info()).resolves.toMatchObject({ maxInputs: 64 });
  });
});

describe('TLS', () => {
  let pki: TestPki;
  let secure: FakeServer;
  beforeAll(async () => {
    pki = writeTestPki('polysearch-client-');
    secure = await startFakeServer(serverCredentials({ certPath: pki.serverCert, keyPath: pki.serverKey, clientCaPath: pki.ca }));
  });
  afterAll(async () => {
    await secure?.stop();
    pki?.cleanup();
  });

  it('mTLS with a client certificate works, from files or PEM contents', async () => {
    const files = new PolysearchSearchClient({ address: secure.address, tls: { caPath: pki.ca, certPath: pki.clientCert, keyPath: pki.clientKey } });
    const { readFileSync } = await import('node:fs');
    const pem = new PolysearchEmbedderClient({
      address: secure.address,
      tls: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) },
    });
    try {
      await expect(files.stats()).resolves.toBeDefined();
      await expect(pem.info()).resolves.toMatchObject({ maxInputs: 64 });
    } finally {
      files.close();
      pem.close();
    }
  });

  it('without a client certificate, or in plain text, the mTLS server refuses (UNAVAILABLE)', async () => {
    const noCert = new PolysearchSearchClient({ address: secure.address, tls: { caPath: pki.ca }, retry: { maxAttempts: 1 } });
    const plain = new PolysearchSearchClient({ address: secure.address, retry: { maxAttempts: 1 } });
    try {
      await expect(noCert.stats('', { deadlineMs: 5_000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await expect(plain.stats('', { deadlineMs: 5_000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      noCert.close();
      plain.close();
    }
  });
});
