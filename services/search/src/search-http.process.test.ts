import { readFileSync } from 'node:fs';
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { writeTestPki, type TestPki } from '../../../test/support/certs.js';
import { httpCall, type HttpAnswer, type HttpCall } from '../../../test/support/http-api.js';
import { metricValue, searchClient, SearchMode, type DocumentPartial } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';
import { getResponseSchema, searchResponseSchema, statsResponseSchema, upsertResponseSchema } from './http/schemas.js';

/**
 * The HTTP/JSON API as users run it: real search and embedder processes on
 * loopback, every route, and — the point of one core behind two transports —
 * the same answers and the same refusals (status, reason, message) over HTTP
 * as over gRPC.
 */
let embedder: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let client: ReturnType<typeof searchClient>;

/** Small limits so the tests can cross them: the request limit is gRPC's and HTTP's alike. */
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_CONTENT_BYTES = 100_000;

const api = (call: Omit<HttpCall, 'port'>) => httpCall({ port: search.apiPort, ...call });
const post = (path: string, body: unknown) => api({ method: 'POST', path, body });
const get = (path: string) => api({ method: 'GET', path });

/** Parses with the response schema (strict: no missing, mistyped or extra fields) and returns the value. */
function conforms<S extends z.ZodType>(schema: S, res: HttpAnswer): z.output<S> {
  expect(res.status, res.text).toBe(200);
  const parsed = schema.safeParse(res.json);
  expect(parsed.error?.issues ?? []).toEqual([]);
  return parsed.data as z.output<S>;
}

const docs = [
  { tenant_id: 'acme', id: 'pw', locale: 'en', source_type: 'faq', title: 'Reset your password', content: 'To reset your password open the account settings and choose reset password. You get an email with a link.', metadata: { team: 'support' } },
  { tenant_id: 'acme', id: 'inv', locale: 'de', source_type: 'faq', title: 'Rechnung', content: 'Die Rechnung kommt jeden Monat per E-Mail. Sie finden alle Rechnungen im Kundenkonto.', metadata: { team: 'billing' } },
  { tenant_id: 'acme', id: 'ship', locale: 'fr', source_type: 'guide', title: 'Livraison', content: 'La livraison prend trois jours ouvrables. Le colis arrive avec un numéro de suivi.', metadata: { team: 'logistics' } },
  { tenant_id: 'globex', id: 'pw', locale: 'en', source_type: 'faq', title: 'Reset your password (globex)', content: 'Globex staff reset the password in the admin console.', metadata: {} },
];

beforeAll(async () => {
  embedder = await startEmbedderProcess();
  search = await startSearchProcess(embedder.listening.grpcPort as number, {
    SEARCH_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
    UPSERT_MAX_CONTENT_BYTES: String(MAX_CONTENT_BYTES),
  });
  client = searchClient(search.grpcPort);
  expect(conforms(upsertResponseSchema, await post('/v1/documents', { documents: docs }))).toEqual({ inserted: 4, updated: 0, unchanged: 0, pending: 0 });
});

afterAll(async () => {
  client?.close();
  await search?.stop();
  await embedder?.stop();
});

describe('every route', () => {
  it.each([
    ['SEARCH_MODE_HYBRID', SearchMode.SEARCH_MODE_HYBRID],
    ['SEARCH_MODE_SEMANTIC', SearchMode.SEARCH_MODE_SEMANTIC],
    ['SEARCH_MODE_KEYWORD', SearchMode.SEARCH_MODE_KEYWORD],
  ] as const)('searches in %s and answers what gRPC answers to the same request', async (mode, grpcMode) => {
    const res = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { query: 'reset password', mode }));
    const viaGrpc = await client.search({ tenantId: 'acme', query: 'reset password', mode: grpcMode });
    expect(res.mode_used).toBe(mode);
    expect(res.hits[0]).toMatchObject({ id: 'pw', title: 'Reset your password', locale: 'en', source_type: 'faq', metadata: { team: 'support' } });
    expect(res.hits.map((h) => [h.id, h.passage_index, h.snippet])).toEqual(viaGrpc.hits.map((h) => [h.id, h.passageIndex, h.snippet]));
    res.hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo(viaGrpc.hits[i].score, 9);
      expect(h.semantic_score).toBeCloseTo(viaGrpc.hits[i].semanticScore, 9);
      expect(h.keyword_score).toBeCloseTo(viaGrpc.hits[i].keywordScore, 9);
    });
    expect(res.hits.every((h) => h.title !== 'Reset your password (globex)')).toBe(true);
    // Hybrid's server default is weighted fusion (README, Hybrid).
    expect(res.fusion_used).toBe(mode === 'SEARCH_MODE_HYBRID' ? 'FUSION_WEIGHTED' : 'FUSION_UNSPECIFIED');
  });

  it('takes weighted fusion and every filter', async () => {
    const weighted = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { query: 'reset password', fusion: 'FUSION_WEIGHTED', semantic_weight: 0.7 }));
    expect(weighted.fusion_used).toBe('FUSION_WEIGHTED');
    expect(weighted.hits[0].score).toBeCloseTo(1, 6);
    const byLocale = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { query: 'Rechnung', locale: 'de', mode: 'SEARCH_MODE_SEMANTIC' }));
    expect(byLocale.hits.map((h) => h.id)).toEqual(['inv']);
    const bySource = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { query: 'livraison colis', filters: { source_types: ['guide'] } }));
    expect(bySource.hits.map((h) => h.id)).toEqual(['ship']);
    const byMeta = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { query: 'password', filters: { metadata: { team: 'billing' } } }));
    expect(byMeta.hits.every((h) => h.metadata.team === 'billing')).toBe(true);
  });

  it('pages, and a page token from gRPC is good over HTTP (the same request)', async () => {
    const request = { query: 'password Rechnung livraison', limit: 1, mode: 'SEARCH_MODE_SEMANTIC' };
    const first = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', request));
    expect(first.next_page_token).not.toBe('');
    const second = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { ...request, page_token: first.next_page_token }));
    expect(second.hits[0].id).not.toBe(first.hits[0].id);
    const grpcFirst = await client.search({ tenantId: 'acme', query: request.query, limit: 1, mode: SearchMode.SEARCH_MODE_SEMANTIC });
    const viaHttp = conforms(searchResponseSchema, await post('/v1/tenants/acme/search', { ...request, page_token: grpcFirst.nextPageToken }));
    expect(viaHttp.hits[0].id).toBe(second.hits[0].id);
  });

  it('gets a document as gRPC does, with ids percent-encoded in the path', async () => {
    conforms(upsertResponseSchema, await post('/v1/documents', { documents: [{ tenant_id: 'acme', id: 'faq/1 ä', title: 'Slash', content: 'An id with a slash and a space.' }] }));
    const res = conforms(getResponseSchema, await get(`/v1/tenants/acme/documents/${encodeURIComponent('faq/1 ä')}`));
    const viaGrpc = (await client.get('acme', 'faq/1 ä')).document!;
    expect(res.document).toEqual({
      document: { tenant_id: 'acme', id: 'faq/1 ä', locale: '', source_type: '', title: 'Slash', content: 'An id with a slash and a space.', metadata: {} },
      created_at: viaGrpc.createdAt!.toISOString(),
      updated_at: viaGrpc.updatedAt!.toISOString(),
      content_sha256: viaGrpc.contentSha256,
      passage_count: viaGrpc.passageCount,
      pending_passages: 0,
    });
  });

  it('deletes one document and a batch, idempotently, within the tenant', async () => {
    const temp: DocumentPartial[] = ['d1', 'd2', 'd3'].map((id) => ({ tenantId: 'temp', id, title: `Doc ${id}`, content: 'Ciao a tutti' }));
    await client.upsert(temp);
    expect((await api({ method: 'DELETE', path: '/v1/tenants/acme/documents/d1' })).json).toEqual({ deleted: 0 });
    expect((await api({ method: 'DELETE', path: '/v1/tenants/temp/documents/d1' })).json).toEqual({ deleted: 1 });
    expect((await api({ method: 'DELETE', path: '/v1/tenants/temp/documents/d1' })).json).toEqual({ deleted: 0 });
    expect((await post('/v1/tenants/temp/documents:delete', { ids: ['d2', 'd3', 'nope'] })).json).toEqual({ deleted: 2 });
    const gone = await get('/v1/tenants/temp/documents/d2');
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ status: 'NOT_FOUND', message: 'tenant has no document with id "d2"' });
  });

  it('counts per tenant and for all tenants, as gRPC does', async () => {
    const one = conforms(statsResponseSchema, await get('/v1/stats?tenant_id=globex'));
    expect(one.tenants).toEqual([{ tenant_id: 'globex', documents: 1, passages: 1, pending_passages: 0 }]);
    expect(one.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const all = conforms(statsResponseSchema, await get('/v1/stats'));
    const viaGrpc = await client.stats('');
    expect(all.tenants.map((t) => [t.tenant_id, t.documents, t.passages])).toEqual(viaGrpc.tenants.map((t) => [t.tenantId, t.documents, t.passages]));
    expect(all.pending_passages).toBe(viaGrpc.pendingPassages);
    expect(all.stale_passages).toBe(viaGrpc.stalePassages);
  });
});

/** A refusal as a caller sees it: gRPC code (or HTTP status), reason and message. */
async function grpcRefusal(call: Promise<unknown>): Promise<{ code: status; reason: string; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, reason: String(e.metadata?.get('polysearch-reason')[0] ?? ''), message: e.details };
  }
  throw new Error('expected the gRPC call to fail');
}

/** What each gRPC code becomes over HTTP, written out (shared/http/status.ts must agree). */
const HTTP_FOR: Partial<Record<status, number>> = { [status.INVALID_ARGUMENT]: 400, [status.NOT_FOUND]: 404 };

const long = 'x'.repeat(600);
const doc = (over: Record<string, unknown> = {}) => ({ tenant_id: 'acme', id: 'p1', title: 'Parity', content: 'Parity check', ...over });
const asProto = (d: Record<string, unknown>): DocumentPartial => ({
  tenantId: d.tenant_id as string,
  id: d.id as string,
  title: d.title as string,
  content: d.content as string,
});

describe('the same refusals as gRPC', () => {
  const cases: [string, status, () => Promise<unknown>, Omit<HttpCall, 'port'>][] = [
    ['search: an empty query', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme', query: '  ' }), { path: '/v1/tenants/acme/search', body: { query: '  ' } }],
    ['search: no query at all', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme' }), { path: '/v1/tenants/acme/search', body: {} }],
    ['search: an empty tenant', status.INVALID_ARGUMENT, () => client.search({ tenantId: '', query: 'x' }), { path: '/v1/tenants//search', body: { query: 'x' } }],
    ['search: a blank tenant', status.INVALID_ARGUMENT, () => client.search({ tenantId: ' ', query: 'x' }), { path: '/v1/tenants/%20/search', body: { query: 'x' } }],
    ['search: a tenant too long', status.INVALID_ARGUMENT, () => client.search({ tenantId: long, query: 'x' }), { path: `/v1/tenants/${long}/search`, body: { query: 'x' } }],
    ['search: a limit over 100', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme', query: 'x', limit: 500 }), { path: '/v1/tenants/acme/search', body: { query: 'x', limit: 500 } }],
    ['search: a forged page token', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme', query: 'x', pageToken: 'garbage' }), { path: '/v1/tenants/acme/search', body: { query: 'x', page_token: 'garbage' } }],
    ['search: min_score out of range', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme', query: 'x', minScore: 2 }), { path: '/v1/tenants/acme/search', body: { query: 'x', min_score: 2 } }],
    ['search: ef_search out of range', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme', query: 'x', efSearch: 5000 }), { path: '/v1/tenants/acme/search', body: { query: 'x', ef_search: 5000 } }],
    ['search: semantic_weight out of range', status.INVALID_ARGUMENT, () => client.search({ tenantId: 'acme', query: 'x', semanticWeight: 1.5 }), { path: '/v1/tenants/acme/search', body: { query: 'x', semantic_weight: 1.5 } }],
    [
      'search: too many source types',
      status.INVALID_ARGUMENT,
      () => client.search({ tenantId: 'acme', query: 'x', filters: { sourceTypes: Array.from({ length: 65 }, (_, i) => `t${i}`), metadata: {} } }),
      { path: '/v1/tenants/acme/search', body: { query: 'x', filters: { source_types: Array.from({ length: 65 }, (_, i) => `t${i}`) } } },
    ],
    [
      'search: too many metadata filters',
      status.INVALID_ARGUMENT,
      () => client.search({ tenantId: 'acme', query: 'x', filters: { sourceTypes: [], metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) } }),
      { path: '/v1/tenants/acme/search', body: { query: 'x', filters: { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) } } },
    ],
    ['upsert: no documents', status.INVALID_ARGUMENT, () => client.upsert([]), { path: '/v1/documents', body: { documents: [] } }],
    ['upsert: no documents field', status.INVALID_ARGUMENT, () => client.upsert([]), { path: '/v1/documents', body: {} }],
    [
      'upsert: more than UPSERT_MAX_DOCUMENTS',
      status.INVALID_ARGUMENT,
      () => client.upsert(Array.from({ length: 101 }, (_, i) => asProto(doc({ id: `m${i}` })))),
      { path: '/v1/documents', body: { documents: Array.from({ length: 101 }, (_, i) => doc({ id: `m${i}` })) } },
    ],
    ['upsert: a document without id', status.INVALID_ARGUMENT, () => client.upsert([asProto(doc({ id: '' }))]), { path: '/v1/documents', body: { documents: [doc({ id: undefined })] } }],
    ['upsert: a document without title or content', status.INVALID_ARGUMENT, () => client.upsert([asProto(doc({ title: '', content: ' ' }))]), { path: '/v1/documents', body: { documents: [doc({ title: '', content: ' ' })] } }],
    ['upsert: an id twice in one batch', status.INVALID_ARGUMENT, () => client.upsert([asProto(doc()), asProto(doc())]), { path: '/v1/documents', body: { documents: [doc(), doc()] } }],
    ['upsert: a title too long', status.INVALID_ARGUMENT, () => client.upsert([asProto(doc({ title: 't'.repeat(4097) }))]), { path: '/v1/documents', body: { documents: [doc({ title: 't'.repeat(4097) })] } }],
    ['upsert: a tenant with NUL', status.INVALID_ARGUMENT, () => client.upsert([asProto(doc({ tenant_id: 'a\u0000b' }))]), { path: '/v1/documents', body: { documents: [doc({ tenant_id: 'a\u0000b' })] } }],
    [
      'upsert: content over UPSERT_MAX_CONTENT_BYTES',
      status.INVALID_ARGUMENT,
      () => client.upsert([asProto(doc({ content: 'c'.repeat(MAX_CONTENT_BYTES) }))]),
      { path: '/v1/documents', body: { documents: [doc({ content: 'c'.repeat(MAX_CONTENT_BYTES) })] } },
    ],
    ['get: no such document', status.NOT_FOUND, () => client.get('acme', 'missing'), { path: '/v1/tenants/acme/documents/missing' }],
    ['get: an empty id', status.INVALID_ARGUMENT, () => client.get('acme', ''), { path: '/v1/tenants/acme/documents/' }],
    ['get: an id too long', status.INVALID_ARGUMENT, () => client.get('acme', long), { path: `/v1/tenants/acme/documents/${long}` }],
    ['delete: no ids', status.INVALID_ARGUMENT, () => client.delete('acme', []), { path: '/v1/tenants/acme/documents:delete', body: { ids: [] } }],
    ['delete: an id too long', status.INVALID_ARGUMENT, () => client.delete('acme', [long]), { method: 'DELETE', path: `/v1/tenants/acme/documents/${long}` }],
    ['delete: an empty tenant', status.INVALID_ARGUMENT, () => client.delete('', ['x']), { path: '/v1/tenants//documents:delete', body: { ids: ['x'] } }],
    ['stats: a tenant too long', status.INVALID_ARGUMENT, () => client.stats(long), { path: `/v1/stats?tenant_id=${long}` }],
  ];

  it.each(cases)('%s', async (_name, code, viaGrpc, viaHttp) => {
    const grpc = await grpcRefusal(viaGrpc());
    expect(grpc.code).toBe(code);
    const http = await api(viaHttp);
    expect(http.status).toBe(HTTP_FOR[code]);
    expect(http.json).toEqual({ error: { code: HTTP_FOR[code], status: status[code], reason: grpc.reason, message: grpc.message } });
  });
});

describe('transport limits', () => {
  it('takes a body up to SEARCH_MAX_REQUEST_BYTES and answers 413 past it, where gRPC answers RESOURCE_EXHAUSTED', async () => {
    // A long query is cut by the core, not refused: a body just under the limit gets an answer.
    const fits = { query: 'reset password '.repeat(1000) };
    fits.query += 'q'.repeat(MAX_REQUEST_BYTES - JSON.stringify(fits).length);
    expect(JSON.stringify(fits).length).toBe(MAX_REQUEST_BYTES);
    expect((await post('/v1/tenants/acme/search', fits)).status).toBe(200);

    const over = { query: `${fits.query}q` };
    const refused = await post('/v1/tenants/acme/search', over);
    expect(refused.status).toBe(413);
    expect(refused.json.error).toMatchObject({ code: 413, status: 'RESOURCE_EXHAUSTED', reason: 'body_too_large' });
    expect(refused.json.error.message).toContain(`larger than ${MAX_REQUEST_BYTES} bytes`);
    expect((await grpcRefusal(client.search({ tenantId: 'acme', query: 'q'.repeat(MAX_REQUEST_BYTES) }))).code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('answers 415 for a body that is not JSON, 400 for malformed JSON or a misspelt field, 404 off the API, 405 with Allow', async () => {
    const text = await api({ method: 'POST', path: '/v1/tenants/acme/search', body: 'query=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    const broken = await api({ method: 'POST', path: '/v1/tenants/acme/search', body: '{"query": "x"', headers: { 'content-type': 'application/json' } });
    expect(broken.json.error).toMatchObject({ code: 400, reason: 'malformed_json' });
    const camel = await post('/v1/tenants/acme/search', { query: 'x', pageToken: '' });
    expect(camel.json.error).toMatchObject({ code: 400, reason: 'unknown_field' });
    expect(camel.json.error.message).toContain('page_token');
    const wrongType = await post('/v1/tenants/acme/search', { query: 'x', mode: 'hybrid' });
    expect(wrongType.json.error.message).toMatch(/body\.mode must be one of "SEARCH_MODE_UNSPECIFIED", "SEARCH_MODE_HYBRID"/);
    expect((await get('/v2/search')).status).toBe(404);
    expect((await get('/readyz')).status).toBe(404);
    const method = await get('/v1/tenants/acme/search');
    expect(method.status).toBe(405);
    expect(method.headers.allow).toBe('POST');
  });
});

describe('operations', () => {
  it('counts requests by operation and status on /metrics', async () => {
    expect(await metricValue(search.httpPort, 'search_http_request_duration_seconds_count{operation="search",code="200"}')).toBeGreaterThan(0);
    expect(await metricValue(search.httpPort, 'search_http_request_duration_seconds_count{operation="search",code="413"}')).toBeGreaterThan(0);
    expect(await metricValue(search.httpPort, 'search_http_request_duration_seconds_count{operation="unmatched",code="404"}')).toBeGreaterThan(0);
  });

  it('never logs query or document text, not even of refused requests', async () => {
    await post('/v1/tenants/acme/search', { query: 'zanzibar marmalade' });
    await post('/v1/tenants/acme/search', { query: 'zanzibar marmalade', limit: 'ten' });
    await api({ method: 'POST', path: '/v1/tenants/acme/search', body: '{"query": "zanzibar marmalade",', headers: { 'content-type': 'application/json' } });
    await post('/v1/documents', { documents: [{ tenant_id: 'acme', id: 'z', title: 'kumquat quince', content: 'kumquat quince jelly' }] });
    const logs = search.proc.logs.join('\n');
    expect(logs).toContain('"msg":"http"');
    for (const text of ['zanzibar', 'marmalade', 'kumquat', 'quince', 'reset password', 'Rechnung kommt']) expect(logs).not.toContain(text);
  });
});

describe('HTTPS and mutual TLS (SEARCH_API_TLS_*)', () => {
  let pki: TestPki;
  let secure: Awaited<ReturnType<typeof startSearchProcess>>;
  const pem = (path: string) => readFileSync(path);

  beforeAll(async () => {
    pki = writeTestPki('polysearch-api-tls-');
    secure = await startSearchProcess(embedder.listening.grpcPort as number, {
      SEARCH_API_TLS_CERT: pki.serverCert,
      SEARCH_API_TLS_KEY: pki.serverKey,
      SEARCH_API_TLS_CLIENT_CA: pki.ca,
    });
  });
  afterAll(async () => {
    await secure?.stop();
    pki?.cleanup();
  });

  it('serves clients with a certificate the CA signed, and refuses plain HTTP and clients without one', async () => {
    const ca = pem(pki.ca);
    const ok = await httpCall({ port: secure.apiPort, path: '/v1/stats', tls: { ca, cert: pem(pki.clientCert), key: pem(pki.clientKey) } });
    expect(ok.status).toBe(200);
    await expect(httpCall({ port: secure.apiPort, path: '/v1/stats', tls: { ca } })).rejects.toThrow();
    await expect(httpCall({ port: secure.apiPort, path: '/v1/stats' })).rejects.toThrow();
  });
});
