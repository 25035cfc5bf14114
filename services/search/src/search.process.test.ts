import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../../../test/support/embedder-client.js';
import { metricValue, searchClient, SearchMode } from '../../../test/support/search-client.js';
import { healthCheck, reflectionListServices } from '../../../test/support/grpc-probes.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import { httpStatus, waitFor, type ServiceProcess } from '../../../test/support/service-process.js';

/**
 * The search service as users run it: real processes on loopback, talking
 * gRPC to a real embedder with the tiny fixture model, on PGlite or (with
 * TEST_DATABASE_URL) real Postgres.
 */
let embedder: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let client: ReturnType<typeof searchClient>;
const embedderTokens = (role: string) => metricValue(embedder.listening.httpPort as number, `embedder_tokens_total{role="${role}"}`);

const docs = [
  { tenantId: 'acme', id: 'pw', locale: 'en', sourceType: 'faq', title: 'Reset your password', content: 'To reset your password open the account settings and choose reset password. You get an email with a link.', metadata: { team: 'support' } },
  { tenantId: 'acme', id: 'inv', locale: 'de', sourceType: 'faq', title: 'Rechnung', content: 'Die Rechnung kommt jeden Monat per E-Mail. Sie finden alle Rechnungen im Kundenkonto.', metadata: { team: 'billing' } },
  { tenantId: 'acme', id: 'ship', locale: 'fr', sourceType: 'guide', title: 'Livraison', content: 'La livraison prend trois jours ouvrables. Le colis arrive avec un numéro de suivi.', metadata: { team: 'logistics' } },
  { tenantId: 'globex', id: 'pw', locale: 'en', sourceType: 'faq', title: 'Reset your password (globex)', content: 'Globex staff reset the password in the admin console.', metadata: { team: 'support' } },
];

beforeAll(async () => {
  embedder = await startEmbedderProcess();
  search = await startSearchProcess(embedder.listening.grpcPort as number);
  client = searchClient(search.grpcPort);
  expect(await client.upsert(docs)).toEqual({ inserted: 4, updated: 0, unchanged: 0, pending: 0 });
});

afterAll(async () => {
  client?.close();
  await search?.stop();
  await embedder?.stop();
});

describe('Search', () => {
  it.each([
    ['hybrid', SearchMode.SEARCH_MODE_HYBRID],
    ['semantic', SearchMode.SEARCH_MODE_SEMANTIC],
    ['keyword', SearchMode.SEARCH_MODE_KEYWORD],
  ])('finds the matching document first in %s mode, within the tenant only', async (_name, mode) => {
    const res = await client.search({ tenantId: 'acme', query: 'reset password', mode });
    expect(res.modeUsed).toBe(mode);
    expect(res.degraded).toBe(false);
    expect(res.hits[0].id).toBe('pw');
    expect(res.hits[0].title).toBe('Reset your password');
    expect(res.hits.every((h) => h.title !== 'Reset your password (globex)')).toBe(true);
  });

  it('reports both scores behind a hybrid hit and the fusion used', async () => {
    const res = await client.search({ tenantId: 'acme', query: 'reset password' });
    expect(res.modeUsed).toBe(SearchMode.SEARCH_MODE_HYBRID);
    expect(res.hits[0].semanticScore).toBeGreaterThan(0);
    expect(res.hits[0].keywordScore).toBeGreaterThan(0);
    const weighted = await client.search({ tenantId: 'acme', query: 'reset password', fusion: 2 });
    expect(weighted.fusionUsed).toBe(2);
    expect(weighted.hits[0].score).toBeCloseTo(1, 6);
  });

  it('filters by locale, source type and metadata', async () => {
    const byLocale = await client.search({ tenantId: 'acme', query: 'Rechnung', locale: 'de', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(byLocale.hits.map((h) => h.id)).toEqual(['inv']);
    const bySource = await client.search({ tenantId: 'acme', query: 'livraison colis', filters: { sourceTypes: ['guide'], metadata: {} } });
    expect(bySource.hits.map((h) => h.id)).toEqual(['ship']);
    const byMeta = await client.search({ tenantId: 'acme', query: 'password', filters: { sourceTypes: [], metadata: { team: 'billing' } } });
    expect(byMeta.hits.every((h) => h.metadata.team === 'billing')).toBe(true);
  });

  it('finds the tail of a long document through its best passage', async () => {
    const filler = Array.from({ length: 900 }, (_, i) => ['alpha', 'bravo', 'charlie', 'delta', 'echo'][i % 5]).join(' ');
    const tail =
      'The spare key is hidden under the blue flower pot near the garden door. ' +
      'If the key is not under the flower pot, ask the neighbour: she keeps a second key for the garden door. ' +
      'Please put the key back under the blue pot after use.';
    await client.upsert([{ tenantId: 'acme', id: 'long', locale: 'en', title: 'Notes', content: `${filler} ${tail}` }]);
    const stored = await client.get('acme', 'long');
    expect(stored.document!.passageCount).toBeGreaterThan(3);
    for (const mode of [SearchMode.SEARCH_MODE_SEMANTIC, SearchMode.SEARCH_MODE_KEYWORD]) {
      const res = await client.search({ tenantId: 'acme', query: 'spare key hidden under the blue flower pot', mode });
      expect(res.hits[0].id).toBe('long');
      // The tail spans the last passage or two (passages overlap); never the filler at the start.
      expect(res.hits[0].passageIndex).toBeGreaterThanOrEqual(stored.document!.passageCount - 2);
      expect(res.hits[0].snippet).toContain('flower pot');
    }
  });

  it('pages with next_page_token and refuses a token from another request', async () => {
    const first = await client.search({ tenantId: 'acme', query: 'password Rechnung livraison', limit: 1, mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(first.hits).toHaveLength(1);
    expect(first.nextPageToken).not.toBe('');
    const second = await client.search({ tenantId: 'acme', query: 'password Rechnung livraison', limit: 1, mode: SearchMode.SEARCH_MODE_SEMANTIC, pageToken: first.nextPageToken });
    expect(second.hits[0].id).not.toBe(first.hits[0].id);
    const misuse = await statusOf(client.search({ tenantId: 'globex', query: 'password', limit: 1, pageToken: first.nextPageToken }));
    expect(misuse.code).toBe(status.INVALID_ARGUMENT);
  });

  it.each([
    "'); DROP TABLE documents;--",
    '"unbalanced quote',
    "it's",
    '&|!:*<->()',
    '!!!',
    'a'.repeat(100 * 1024),
    'x '.repeat(50 * 1024),
    '\u0000nul',
  ])('answers hostile query %# without error in every mode', async (query) => {
    for (const mode of [SearchMode.SEARCH_MODE_HYBRID, SearchMode.SEARCH_MODE_SEMANTIC, SearchMode.SEARCH_MODE_KEYWORD]) {
      const res = await client.search({ tenantId: 'acme', query, mode });
      expect(Array.isArray(res.hits)).toBe(true);
    }
    expect((await client.search({ tenantId: 'acme', query: 'password', mode: SearchMode.SEARCH_MODE_KEYWORD })).hits.length).toBeGreaterThan(0);
  });

  it.each([
    ['no tenant', { query: 'x' }, /tenant_id is required/],
    ['an empty query', { tenantId: 'acme', query: '  ' }, /query is empty/],
    ['a limit over 100', { tenantId: 'acme', query: 'x', limit: 500 }, /maximum is 100/],
    ['a forged page token', { tenantId: 'acme', query: 'x', pageToken: 'garbage' }, /page_token/],
  ])('answers INVALID_ARGUMENT for %s', async (_name, request, message) => {
    const err = await statusOf(client.search(request));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(message);
  });
});

describe('Upsert, Get, Delete, Stats', () => {
  it('re-upserting unchanged content makes no embedder call', async () => {
    const before = await embedderTokens('passage');
    expect(await client.upsert(docs)).toEqual({ inserted: 0, updated: 0, unchanged: 4, pending: 0 });
    expect(await embedderTokens('passage')).toBe(before);
  });

  it('a cached query makes no embedder call', async () => {
    const first = await client.search({ tenantId: 'acme', query: 'monthly invoice email', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    const before = await embedderTokens('query');
    const again = await client.search({ tenantId: 'acme', query: '  monthly   invoice email ', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(first.cacheHit).toBe(false);
    expect(again.cacheHit).toBe(true);
    expect(await embedderTokens('query')).toBe(before);
    expect(again.hits.map((h) => h.id)).toEqual(first.hits.map((h) => h.id));
  });

  it('gets, counts and deletes documents of one tenant only', async () => {
    await client.upsert([{ tenantId: 'temp', id: 'd1', locale: 'it', title: 'Ciao', content: 'Buongiorno a tutti' }]);
    expect((await client.get('temp', 'd1')).document!.document!.title).toBe('Ciao');
    expect((await statusOf(client.get('acme', 'd1'))).code).toBe(status.NOT_FOUND);
    const stats = await client.stats('temp');
    expect(stats.tenants).toEqual([{ tenantId: 'temp', documents: 1, passages: 1, pendingPassages: 0, failedPassages: 0 }]);
    expect(stats.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(await client.delete('acme', ['d1'])).toEqual({ deleted: 0 });
    expect(await client.delete('temp', ['d1'])).toEqual({ deleted: 1 });
    expect((await statusOf(client.get('temp', 'd1'))).code).toBe(status.NOT_FOUND);
  });

  it('refuses an empty Upsert with INVALID_ARGUMENT', async () => {
    const err = await statusOf(client.upsert([]));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
  });

  it('never logs query or document text', () => {
    const logs = search.proc.logs.join('\n');
    expect(logs).not.toContain('reset password');
    expect(logs).not.toContain('blue flower pot');
    expect(logs).toContain('"msg":"search"');
  });
});

describe('Operations', () => {
  it('answers grpc health and reflection, /readyz, /livez and /metrics', async () => {
    expect(await healthCheck(search.grpcPort, 'polysearch.search.v1.Search')).toBe('SERVING');
    expect(await reflectionListServices(search.grpcPort)).toContain('polysearch.search.v1.Search');
    expect(await httpStatus(search.httpPort, '/readyz')).toBe(200);
    expect(await httpStatus(search.httpPort, '/livez')).toBe(200);
    expect(await metricValue(search.httpPort, 'search_request_duration_seconds_count{mode="hybrid"}')).toBeGreaterThan(0);
    expect(await metricValue(search.httpPort, 'search_query_cache_lookups_total{result="hit"}')).toBeGreaterThan(0);
  });
});

describe('when the embedder goes away', () => {
  it('keeps answering (degraded), keeps writes, and recovers: SIGSTOP, then SIGKILL, then a new embedder', async () => {
    const port = embedder.listening.grpcPort as number;
    embedder.proc.kill('SIGSTOP');
    // A hung embedder: the query deadline fires, then the circuit opens.
    const reasons: string[] = [];
    // Distinct queries, none cached, each matching the password document by keyword.
    for (const query of ['password reset link', 'reset the password', 'how to reset password', 'password reset email', 'reset password settings']) {
      const res = await client.search({ tenantId: 'acme', query });
      expect(res.degraded).toBe(true);
      expect(res.modeUsed).toBe(SearchMode.SEARCH_MODE_KEYWORD);
      expect(res.hits[0].id).toBe('pw');
      reasons.push(res.degradedReason);
    }
    expect(reasons[0]).toMatch(/embedder_timeout/);
    expect(reasons.at(-1)).toMatch(/circuit_open/);
    // A query cached before the outage is still answered semantically.
    const cached = await client.search({ tenantId: 'acme', query: 'monthly invoice email', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(cached).toMatchObject({ degraded: false, cacheHit: true, modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });

    embedder.proc.kill('SIGKILL');
    await embedder.exited;
    const written = await client.upsert([{ tenantId: 'acme', id: 'new', locale: 'es', title: 'Horario', content: 'La tienda abre a las nueve de la mañana y cierra a las ocho.' }]);
    expect(written).toEqual({ inserted: 1, updated: 0, unchanged: 0, pending: 1 });
    expect((await client.stats('acme')).pendingPassages).toBe(1);
    const meanwhile = await client.search({ tenantId: 'acme', query: 'tienda abre', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(meanwhile).toMatchObject({ degraded: true, modeUsed: SearchMode.SEARCH_MODE_KEYWORD });
    expect(meanwhile.hits[0].id).toBe('new');

    embedder = await startEmbedderProcess(port);
    // The half-open probe brings semantic search back…
    await waitFor(async () => !(await client.search({ tenantId: 'acme', query: 'la tienda cierra' })).degraded);
    // …and the backfill embeds what was written meanwhile.
    await waitFor(async () => (await client.stats('acme')).pendingPassages === 0);
    const found = await client.search({ tenantId: 'acme', query: 'la tienda abre a las nueve', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(found).toMatchObject({ degraded: false, modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(found.hits[0].id).toBe('new');
    expect(found.hits[0].semanticScore).toBeGreaterThan(0);
    // Down embedder never made search unready: it degraded instead.
    expect(await httpStatus(search.httpPort, '/readyz')).toBe(200);
    expect(await metricValue(search.httpPort, 'search_degraded_total{reason="circuit_open"}')).toBeGreaterThan(0);
  });
});
