import type { StoredModel } from './core/rotation/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueSchemaName } from '../../../test/support/db.js';
import { replicaClusterSupport, startReplicaCluster, type ReplicaCluster } from '../../../test/support/pg-replica-cluster.js';
import { metricValue, searchClient, SearchMode } from '../../../test/support/search-client.js';
import { startSearchProcess } from '../../../test/support/search-stack.js';
import { waitFor } from '../../../test/support/service-process.js';
import { cleanQueryText } from './core/search/query.js';
import { openDb, type Db } from './store/db.js';
import { ReplicatedSearchStore } from './store/replicated-search-store.js';
import { RoutedDb, type ReadReason, type ReadTarget } from './store/routed-db.js';
import { filtersOf, prng, randomVector, testModel } from './store/test-support/fixtures.js';
import { recordingDb } from './store/test-support/recording-db.js';

/**
 * Read replicas against a real streaming replica: a throwaway PostgreSQL 15
 * primary and a replica made with pg_basebackup, started by the test on
 * their own ports (test/support/pg-replica-cluster.ts). Skipped with the
 * reason when PostgreSQL binaries or pgvector are missing, except in CI,
 * where it must run.
 */
const support = replicaClusterSupport();
if (!support.ok && !process.env.CI) console.warn(`read replica tests skipped: ${support.reason}`);
const describeCluster = support.ok || process.env.CI ? describe : describe.skip;

const DIMS = 8;
const FP = 'fp-replicas';
const MAX_LAG_MS = 1_000;
const CHECK_MS = 50;
const RETRY_MS = 300;

describeCluster('read replicas on a real streaming replica', () => {
  let cluster: ReplicaCluster;
  let primaryRaw: Db;
  let replicaRaw: Db;
  let router: RoutedDb;
  let store: ReplicatedSearchStore;
  let model: StoredModel;
  const onPrimary: string[] = [];
  const onReplica: string[] = [];
  const reads: { target: ReadTarget; reason: ReadReason }[] = [];
  const schema = uniqueSchemaName('replicas');

  beforeAll(async () => {
    if (!support.ok) throw new Error(`CI must run the read replica tests: ${support.reason}`);
    cluster = await startReplicaCluster();
    primaryRaw = await openDb({ databaseUrl: cluster.primaryUrl, poolMax: 4 });
    replicaRaw = await openDb({ databaseUrl: cluster.replicaUrl, poolMax: 4, connectTimeoutMs: 2_000 });
    // Every statement each server receives is recorded, independently of the router's own bookkeeping.
    const primary = recordingDb(primaryRaw, (s) => onPrimary.push(s.sql));
    const replica = recordingDb(replicaRaw, (s) => onReplica.push(s.sql));
    router = new RoutedDb({
      primary,
      replicas: [replica],
      maxLagMs: MAX_LAG_MS,
      checkIntervalMs: CHECK_MS,
      retryAfterMs: RETRY_MS,
      onRead: (target, reason) => reads.push({ target, reason }),
    });
    store = new ReplicatedSearchStore(router, { schema });
    await store.migrate();
    model = await store.register({ digest: FP, dimensions: DIMS, profile: 'e5', fixture: true, modelId: 'test' });
    await router.start();
    await waitFor(async () => (await router.read(undefined, (db) => db.query(`SELECT 1`))) && reads.at(-1)?.target === 'replica', 10_000);
  }, 60_000);

  afterAll(async () => {
    await router?.stop();
    await primaryRaw?.close();
    await replicaRaw?.close().catch(() => undefined);
    await cluster?.destroy();
  });

  const rng = prng(7);
  /** Each document's one passage vector: a semantic search with it finds that document first. */
  const vectors = new Map<string, number[]>();
  const doc = (tenantId: string, id: string, content: string) => ({ tenantId, id, locale: 'en', title: id, content });
  const upsert = (d: ReturnType<typeof doc>) => {
    const v = randomVector(rng, DIMS);
    vectors.set(`${d.tenantId}/${d.id}`, v);
    return store.upsertDocuments([d], { model, embeddings: [[v]] });
  };
  const keywordIds = async (tenantId: string, text: string) =>
    (await store.keyword({ tenantId, text: cleanQueryText(text), filters: filtersOf({ locale: 'en' }), depth: 10 })).map((c) => c.id);
  const semanticIds = async (tenantId: string, id: string) =>
    (await store.semantic({ tenantId, vector: vectors.get(`${tenantId}/${id}`)!, model: testModel(FP, DIMS), filters: filtersOf(), depth: 3, efSearch: undefined })).map((c) => c.id);
  const writesIn = (statements: string[]) => statements.filter((s) => /^\s*(INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b/i.test(s));
  /** Where a read of `tenantId` lands now (a cheap Get). */
  const probe = async (tenantId: string) => {
    await store.getDocument(tenantId, 'probe', null);
    return reads.at(-1)!;
  };

  it('the replica is a hot standby of the primary', async () => {
    const { rows } = await router.read(undefined, (db) => db.query<{ standby: boolean }>(`SELECT pg_is_in_recovery() AS standby`));
    expect(rows[0].standby).toBe(true);
    expect(reads.at(-1)).toEqual({ target: 'replica', reason: 'replica' });
    expect((await primaryRaw.query<{ standby: boolean }>(`SELECT pg_is_in_recovery() AS standby`)).rows[0].standby).toBe(false);
  });

  it('writes go to the primary, Search/Get/Stats to the replica, and a tenant reads its own writes at once', async () => {
    await upsert(doc('t2', 'other', 'another tenant entirely'));
    for (let i = 0; i < 10; i++) {
      const word = `word${i}x`;
      await upsert(doc('t1', `d${i}`, `document number ${i} says ${word}`));
      // Read-your-writes: right after the write returns, whichever server answers.
      expect((await store.getDocument('t1', `d${i}`, null))?.document.content).toContain(word);
      expect(await keywordIds('t1', word)).toEqual([`d${i}`]);
      expect((await semanticIds('t1', `d${i}`))[0]).toBe(`d${i}`);
    }
    await upsert(doc('t1', 'd0', 'rewritten content'));
    expect((await store.getDocument('t1', 'd0', null))?.document.content).toBe('rewritten content');
    await store.deleteDocuments('t1', ['d1']);
    expect(await store.getDocument('t1', 'd1', null)).toBeNull();
    expect((await store.stats({ tenantId: 't1', modelKey: null })).tenants[0].documents).toBe(9);

    // Quiet now: once the replica has replayed the last writes (it may lag a moment on a busy
    // machine), every kind of read is served by it.
    await waitFor(async () => (await probe('t1')).target === 'replica' && (await probe('t2')).target === 'replica', 15_000);
    const from = reads.length;
    const replicaStatements = onReplica.length;
    expect(await keywordIds('t1', 'word5x')).toEqual(['d5']);
    expect(await semanticIds('t2', 'other')).toEqual(['other']);
    expect((await store.getDocument('t2', 'other', null))?.document.id).toBe('other');
    expect((await store.stats({ modelKey: null })).tenants.map((t) => t.tenantId)).toEqual(['t1', 't2']);
    expect(reads.slice(from)).toEqual(Array(4).fill({ target: 'replica', reason: 'replica' }));
    expect(onReplica.length).toBeGreaterThan(replicaStatements);

    expect(writesIn(onReplica)).toEqual([]);
    expect(writesIn(onPrimary).some((s) => /INSERT INTO \S+\.documents/.test(s))).toBe(true);
    expect(reads.filter((r) => r.reason === 'replica_failed')).toEqual([]);
  });

  it('paused replay: the writing tenant reads the primary at once, everyone once the lag passes the bound, and the replica again after resume', async () => {
    await replicaRaw.query(`SELECT pg_wal_replay_pause()`);
    try {
      await upsert(doc('t1', 'paused', 'written while replay is paused'));
      expect((await store.getDocument('t1', 'paused', null))?.document.content).toBe('written while replay is paused');
      expect(reads.at(-1)).toEqual({ target: 'primary', reason: 'read_your_writes' });
      expect(await probe('t2')).toEqual({ target: 'replica', reason: 'replica' }); // t2 wrote nothing; within the bound
      const paused = performance.now();
      await waitFor(async () => (await probe('t2')).target === 'primary', 5_000, 20);
      const switchedAfterMs = performance.now() - paused;
      expect(reads.at(-1)).toEqual({ target: 'primary', reason: 'no_replica' });
      expect(switchedAfterMs).toBeGreaterThan(MAX_LAG_MS - 300);
      expect(switchedAfterMs).toBeLessThan(MAX_LAG_MS + 2_000);
    } finally {
      await replicaRaw.query(`SELECT pg_wal_replay_resume()`);
    }
    await waitFor(async () => (await probe('t2')).target === 'replica', 5_000, 20);
    expect((await store.getDocument('t1', 'paused', null))?.document.content).toBe('written while replay is paused');
    expect(reads.at(-1)).toEqual({ target: 'replica', reason: 'replica' });
  });

  it('a replica that goes away mid-read: the read runs again on the primary, no call fails, and reads return to the replica once it is back', async () => {
    // A read in flight on the replica when it stops.
    const slow = router.read('t2', (db) => db.query<{ standby: boolean }>(`SELECT pg_sleep(1.5), pg_is_in_recovery() AS standby`));
    await waitFor(async () => {
      const { rows } = await replicaRaw.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(1.5)%'`);
      return rows[0].n > 0;
    }, 5_000, 20);
    const stopping = cluster.stopReplica('immediate');
    // Calls made while the replica goes away and while it is down all succeed.
    const during = Array.from({ length: 10 }, (_, i) => (i % 2 ? keywordIds('t1', 'word3x') : store.getDocument('t2', 'other', null).then((d) => [d?.document.id])));
    expect((await slow).rows[0].standby).toBe(false); // answered by the primary
    await stopping;
    for (const ids of await Promise.all(during)) expect(ids).toEqual(expect.arrayContaining([expect.stringMatching(/^(d3|other)$/)]));
    expect(reads.some((r) => r.reason === 'replica_failed')).toBe(true);
    expect(await probe('t1')).toMatchObject({ target: 'primary' });
    expect(await keywordIds('t1', 'word7x')).toEqual(['d7']);

    await upsert(doc('t2', 'while-down', 'written while the replica was down'));
    await cluster.startReplica();
    await waitFor(async () => (await probe('t2')).target === 'replica', 15_000, 50);
    expect((await store.getDocument('t2', 'while-down', null))?.document.content).toBe('written while the replica was down');
    expect(reads.at(-1)).toEqual({ target: 'replica', reason: 'replica' });
  }, 30_000);

  it('the search service reads from DATABASE_READ_URLS: a caller reads its own Upsert, and reads are served by the replica', async () => {
    const search = await startSearchProcess(1, {
      DATABASE_URL: cluster.primaryUrl,
      DATABASE_READ_URLS: cluster.replicaUrl,
      REPLICA_CHECK_INTERVAL_MS: String(CHECK_MS),
      EMBEDDER_QUERY_TIMEOUT_MS: '50',
    });
    const client = searchClient(search.grpcPort);
    try {
      const replicaReads = () => metricValue(search.httpPort, 'search_db_reads_total{target="replica",reason="replica"}');
      expect(await client.upsert([{ tenantId: 'svc', id: 'a', locale: 'en', title: 'Quarterly invoice', content: 'The invoice for the quarter.' }])).toMatchObject({ inserted: 1 });
      expect((await client.get('svc', 'a')).document?.document?.title).toBe('Quarterly invoice');
      const before = await replicaReads();
      // Once the replica has replayed the write (the lag check runs every CHECK_MS; a loaded box may need
      // longer than two checks), searches go to the replica and still find the document.
      await waitFor(async () => {
        const res = await client.search({ tenantId: 'svc', query: 'invoice', mode: SearchMode.SEARCH_MODE_KEYWORD });
        expect(res.hits.map((h) => h.id)).toEqual(['a']);
        return (await replicaReads()) > before;
      }, 15_000, 2 * CHECK_MS);
    } finally {
      client.close();
      await search.stop();
    }
  }, 60_000);
});
