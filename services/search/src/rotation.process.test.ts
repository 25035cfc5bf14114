import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SearchAdminClient,
  type RotationStatusResponse,
} from '../../../shared/generated/polysearch/search/v1/search.js';
import { searchClient, SearchMode } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import { waitFor, type ServiceProcess } from '../../../test/support/service-process.js';

/**
 * A planned model change (issue 9): search is given the current embedder
 * (tiny fixture, 64 wide, e5 prefixes) and a next one (96 wide, e5-instruct),
 * with no EMBEDDING_DIMENSIONS anywhere. Under continuous search load no
 * search degrades; results stay exactly the old model's until cutover; the
 * rotation survives a restart of search; after cutover every search is
 * served by the new model; Upserts during the rotation are found by both
 * models; rollback restores the old results.
 */
const TENANT = 'acme';
const TOPICS = ['printers', 'invoices', 'passwords', 'shipping', 'holidays', 'laptops'];
// Long enough (~10 passages each) that building the next model's vectors takes a while: the test
// pauses the next embedder mid-rotation to restart search there.
const docs = Array.from({ length: 24 }, (_, i) => ({
  tenantId: TENANT,
  id: `d${String(i).padStart(2, '0')}`,
  locale: 'en',
  title: `Topic ${i}`,
  content: Array.from({ length: 1600 }, (_, w) => (w % 9 === 0 ? TOPICS[(i + w) % 6] : `word${(i * 31 + w) % 400}`)).join(' '),
}));
const queries = ['printers and item 14', 'invoices', 'password reset', 'shipping delays', 'holiday policy', 'laptop item 35'];

let current: ServiceProcess;
let next: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let dataDir: string;
let schema: string;
const pglite = !process.env.TEST_DATABASE_URL;

function adminClient(port: number) {
  const c = new SearchAdminClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <Req, Res>(fn: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req) =>
    new Promise<Res>((resolve, reject) => fn.call(c, req, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (e, r) => (e ? reject(e) : resolve(r))));
  return {
    status: () => call(c.rotationStatus, {}) as Promise<RotationStatusResponse>,
    cutover: (expectDigest: string) => call(c.cutover, { expectDigest, force: false }) as Promise<RotationStatusResponse>,
    rollback: () => call(c.rollback, {}) as Promise<RotationStatusResponse>,
    close: () => c.close(),
  };
}

async function startSearch(env: Record<string, string> = {}) {
  return startSearchProcess(
    current.listening.grpcPort as number,
    {
      SEARCH_DB_SCHEMA: schema,
      ...(pglite ? { PGLITE_DATA_DIR: dataDir } : {}),
      BACKFILL_BATCH: '4',
      SERVING_POLL_MS: '200',
      ROTATION_AUTO_CUTOVER: 'false',
      // The test asserts rotation semantics (0 degraded, identical results), not latency; a 300 ms query
      // budget turns a busy CI box into spurious embedder_timeout fallbacks. Latency under rotation is
      // measured by bench:rotation.
      EMBEDDER_QUERY_TIMEOUT_MS: '5000',
      ...env,
    },
    { keepSchema: true },
  );
}

/** Top ids per query, semantic mode, failing the test if any search degrades. */
async function topIds(client: ReturnType<typeof searchClient>): Promise<string[][]> {
  const out: string[][] = [];
  for (const query of queries) {
    const res = await client.search({ tenantId: TENANT, query, mode: SearchMode.SEARCH_MODE_SEMANTIC, limit: 5 });
    expect(res, `degraded: ${res.degradedReason}`).toMatchObject({ degraded: false, modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });
    out.push(res.hits.map((h) => h.id));
  }
  return out;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'polysearch-rotation-'));
  schema = `t_rot_${process.pid}_${Date.now().toString(36)}`;
  current = await startEmbedderProcess(0);
  next = await startEmbedderProcess(0, { MODEL_DIR: process.env.POLYSEARCH_TINY_WIDE_MODEL_DIR! });
}, 120_000);

afterAll(async () => {
  await search?.stop();
  await current?.stop();
  await next?.stop();
  if (!pglite) {
    const pg = await import('pg');
    const c = new pg.default.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('model rotation without losing semantic search', () => {
  it('starts against an embedder of another width (96, e5-instruct) with no EMBEDDING_DIMENSIONS, and semantic search works', async () => {
    const wide = await startSearchProcess(next.listening.grpcPort as number);
    const client = searchClient(wide.grpcPort);
    try {
      const distinct = [
        ['p', 'Printer toner', 'printer toner paper tray jammed printer'],
        ['h', 'Holiday leave', 'holiday leave vacation days request holiday'],
        ['i', 'Invoice email', 'invoice email billing monthly invoice payment'],
      ].map(([id, title, content]) => ({ tenantId: TENANT, id, locale: 'en', title, content }));
      await client.upsert(distinct);
      await waitFor(async () => (await client.stats(TENANT)).pendingPassages === 0, 30_000);
      expect((await client.stats(TENANT)).models).toEqual([expect.objectContaining({ role: 'current', dimensions: 96, profile: 'e5-instruct', coverage: 1 })]);
      const res = await client.search({ tenantId: TENANT, query: 'holiday leave vacation days', mode: SearchMode.SEARCH_MODE_SEMANTIC, limit: 3 });
      expect(res).toMatchObject({ degraded: false, modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });
      expect(res.hits[0].id).toBe('h');
    } finally {
      client.close();
      await wide.stop();
    }
  }, 120_000);

  it('learns each model\'s width from the embedder (no EMBEDDING_DIMENSIONS), rotates 64 → 96 wide and e5 → e5-instruct, survives a restart, cuts over and rolls back', async () => {
    // 1. One model: search learns its width (64) from the fingerprint.
    search = await startSearch();
    let client = searchClient(search.grpcPort);
    await client.upsert(docs);
    await waitFor(async () => (await client.stats(TENANT)).pendingPassages === 0);
    const before = await topIds(client);
    const first = await client.stats(TENANT);
    expect(first.models).toEqual([expect.objectContaining({ role: 'current', dimensions: 64, profile: 'e5', coverage: 1 })]);
    client.close();
    await search.stop();

    // 2. Restarted with a next embedder: the rotation starts; queries stay on the old model.
    search = await startSearch({ EMBEDDER_NEXT_ADDRESSES: `127.0.0.1:${next.listening.grpcPort as number}`, BACKFILL_INTERVAL_MS: '400' });
    client = searchClient(search.grpcPort);
    let admin = adminClient(search.grpcPort);
    const started = await waitFor(async () => {
      const s = await admin.status();
      return s.nextDigest ? s : undefined;
    }, 30_000, 10);
    expect(started.currentDigest).toBe(first.fingerprint);
    expect(started.models.find((m) => m.role === 'next')).toMatchObject({ dimensions: 96, profile: 'e5-instruct' });

    // Pause the next embedder at once: the rotation is now stuck part-way, as after a crash.
    next.proc.kill('SIGSTOP');

    // Continuous load from here on: not one search may degrade.
    let stopLoad = false;
    let loadSearches = 0;
    const degraded: string[] = [];
    const load = (async () => {
      while (!stopLoad) {
        try {
          const res = await searchClient(search.grpcPort).search({ tenantId: TENANT, query: queries[loadSearches % queries.length], mode: SearchMode.SEARCH_MODE_HYBRID });
          loadSearches++;
          if (res.degraded) degraded.push(res.degradedReason);
        } catch {
          // the search process is being restarted below; calls in that window are not answers
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    })();

    // An Upsert during the rotation is embedded now by the current model and queued for the next one.
    // (Another tenant, so the old model's rankings above stay comparable.)
    const fresh = { tenantId: 'acme-new', id: 'fresh', locale: 'en', title: 'Zebra crossing', content: 'zebra crossing guidance for the new office' };
    await client.upsert([fresh, { ...fresh, id: 'other', title: 'Parking', content: 'parking spaces behind the warehouse' }]);
    const freshQuery = 'Zebra crossing zebra crossing guidance for the new office';
    const findsFresh = async () => {
      const res = await client.search({ tenantId: 'acme-new', query: freshQuery, mode: SearchMode.SEARCH_MODE_SEMANTIC, limit: 2 });
      return !res.degraded && res.hits[0]?.id === 'fresh';
    };
    expect(await findsFresh()).toBe(true);

    // Until cutover, every result is exactly the old model's.
    expect(await topIds(client)).toEqual(before);

    // 3. Restart search in the middle of the rotation: it resumes once the next embedder answers again.
    const partial = (await admin.status()).models.find((m) => m.role === 'next')!;
    expect(partial.coverage).toBeLessThan(0.5);
    admin.close();
    client.close();
    await search.stop();
    search = await startSearch({ EMBEDDER_NEXT_ADDRESSES: `127.0.0.1:${next.listening.grpcPort as number}` });
    client = searchClient(search.grpcPort);
    admin = adminClient(search.grpcPort);
    expect((await admin.status()).nextDigest).toBe(started.nextDigest);
    next.proc.kill('SIGCONT');
    const ready = await waitFor(async () => {
      const s = await admin.status();
      return s.cutoverReady ? s : undefined;
    }, 60_000);
    expect(ready.nextDigest).toBe(started.nextDigest);
    expect(ready.models.find((m) => m.role === 'next')).toMatchObject({ coverage: 1, pending: 0 });
    expect(await topIds(client)).toEqual(before);

    // 4. Cutover: every replica serves the new model; the fresh document is found by it too.
    const cut = await admin.cutover(started.nextDigest);
    expect(cut).toMatchObject({ currentDigest: started.nextDigest, previousDigest: started.currentDigest, nextDigest: '' });
    await waitFor(async () => (await client.stats(TENANT)).fingerprint === started.nextDigest);
    const after = await topIds(client);
    expect(after).not.toEqual(before); // another model, another ranking
    expect(await findsFresh()).toBe(true);

    // 5. Rollback: the old model's vectors were kept; its results come back exactly.
    await admin.rollback();
    await waitFor(async () => (await client.stats(TENANT)).fingerprint === started.currentDigest);
    expect(await topIds(client)).toEqual(before);
    expect(await findsFresh()).toBe(true);

    stopLoad = true;
    await load;
    expect(loadSearches).toBeGreaterThan(20);
    expect(degraded).toEqual([]);
    admin.close();
    client.close();
  }, 180_000);
});
