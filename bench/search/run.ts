/**
 * The search benchmark (entry point: bench/search.ts, which sets the log level first).
 *
 * 1. Latency per mode through the real search process over gRPC, against the
 *    same store calls made directly from this process (a pg pool, same SQL,
 *    same parameters), samples interleaved so noise hits both.
 * 2. recall@10 of filtered HNSW (the store's semanticSearch: iterative scan,
 *    ef_search 40/100/200) against exact search (the same function with
 *    `SET LOCAL enable_indexscan = off`, which leaves the planner no HNSW path).
 *    Vectors are clustered like sentence embeddings by default (--vectors
 *    uniform for structureless random ones); query vectors are near a random
 *    document's subject. Latency queries go through the embedder (the fixture
 *    model: random weights), so their vectors are not near any cluster.
 *
 * Real PostgreSQL only: 100k×384 on PGlite (single-threaded WASM) would take
 * far longer than this whole run, so PGlite is not offered.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateFixtureModel } from '../../scripts/model-fixture/generate.js';
import { cleanQueryText, parseFilters, type SearchFilters } from '../../services/search/src/core/search/query.js';
import { KEYWORD_RELATIVE_FLOOR } from '../../services/search/src/core/min-score.js';
import { SEARCH_LIMITS } from '../../services/search/src/core/search/limits.js';
import { weightedFusion } from '../../services/search/src/fusion/index.js';
import { openDb } from '../../services/search/src/store/db.js';
import { quoteIdent } from '../../services/search/src/store/identifiers.js';
import { SearchStore } from '../../services/search/src/store/search-store.js';
import { buildSemanticQuery, semanticCandidatesIn } from '../../services/search/src/store/semantic-search.js';
import { toVectorLiteral } from '../../services/search/src/store/vector-codec.js';
import { ROOT_DIR } from '../../shared/paths.js';
import { embedderClient, InputType } from '../../test/support/embedder-client.js';
import { searchClient, SearchMode } from '../../test/support/search-client.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../../test/support/service-process.js';
import { ms, percentile, ratio, summarize, timeIt } from '../stats.js';
import {
  assignTenants,
  clusteredVectors,
  cosine,
  makeDocument,
  makeQueryText,
  mulberry32,
  tenantName,
  tenantSizes,
  TEAMS,
  uniformVectors,
  type VectorModel,
} from './corpus.js';

const started = performance.now();
const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    tenants: { type: 'string', default: '100' },
    queries: { type: 'string', default: '300' },
    'recall-queries': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    /** clustered (like sentence embeddings) or uniform (random unit vectors, no structure). */
    vectors: { type: 'string', default: 'clustered' },
    /** Subtopic centroids of the clustered vectors (default: one per 32 documents). */
    clusters: { type: 'string' },
    'database-url': { type: 'string' },
    model: { type: 'string' },
    /** Leave the schema in place afterwards (for EXPLAIN follow-ups); its name is printed. */
    keep: { type: 'boolean', default: false },
    /** ANALYZE only after the load, no VACUUM (the state before autovacuum first gets to the tables). */
    'skip-vacuum': { type: 'boolean', default: false },
  },
});
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const DOCS = positive('docs', values.docs);
const TENANTS = positive('tenants', values.tenants);
const QUERIES = positive('queries', values.queries);
const RECALL_QUERIES = positive('recall-queries', values['recall-queries']);
const SEED = positive('seed', values.seed);
if (TENANTS > DOCS || TENANTS > 65_535) throw new Error('--tenants must be at most --docs (and 65535)');
const VECTORS = values.vectors;
if (VECTORS !== 'clustered' && VECTORS !== 'uniform') throw new Error('--vectors must be clustered or uniform');
const CLUSTERS = values.clusters === undefined ? Math.ceil(DOCS / 32) : positive('clusters', values.clusters);
const databaseUrl = values['database-url'] ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const modelDir = values.model ?? join(ROOT_DIR, '.cache', 'models', 'e5-small');
const DIMS = 384;
const LIMIT = 10;
/** SearchCore's hybrid depth: SEARCH_CANDIDATE_DEPTH (default 50) from each side. */
const HYBRID_DEPTH = 50;
const EF_SEARCHES = [40, 100, 200];
const LOAD_BATCH = 500;
const LOAD_CONCURRENCY = 2;
const schema = `bench_search_${Date.now().toString(36)}_${process.pid}`;
const note = (msg: string) => console.error(`· ${msg}`);
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- cleanup
const cleanups: (() => Promise<unknown> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return cleaning;
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  await run();
} finally {
  await cleanup();
}

async function run(): Promise<void> {
  // ------------------------------------------------------------ embedder
  if (!existsSync(join(modelDir, 'polysearch.json'))) {
    note(`generating the e5-small fixture model in ${modelDir}`);
    await generateFixtureModel({ out: modelDir, size: 'e5-small' });
  }
  const embedderProc = await startServiceProcess(
    'services/embedder/src/main.ts',
    { MODEL_DIR: modelDir, EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_PORT: '0', EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_HTTP_HOST: '127.0.0.1', EMBEDDER_INTRA_OP_THREADS: '1', LOG_LEVEL: 'info' },
    'embedder listening',
  );
  cleanups.push(() => embedderProc.stop());
  const embedder = embedderClient(embedderProc.listening.grpcPort as number);
  cleanups.push(() => embedder.close());
  await waitFor(async () => (await httpStatus(embedderProc.listening.httpPort as number, '/readyz')) === 200, 120_000);
  const info = await embedder.info();
  const model = info.model;
  if (!model || model.dimensions !== DIMS) throw new Error(`the embedder model must be ${DIMS}-dimensional (got ${model?.dimensions})`);
  // The service filters semantic search by the embedder's digest: loaded vectors must carry exactly it.
  const fingerprint = model.digest;

  // ------------------------------------------------------------ schema + load
  const db = await openDb({ databaseUrl, poolMax: 4, applicationName: 'polysearch-bench' });
  cleanups.push(() => db.close());
  cleanups.push(() =>
    values.keep ? note(`kept schema ${schema} (drop it with: DROP SCHEMA ${schema} CASCADE)`) : db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`),
  );
  const store = await SearchStore.open(db, { schema });
  const stored = await store.register({ digest: fingerprint, dimensions: DIMS, profile: model.profile, fixture: true, modelId: model.modelId });
  await store.setServing((await store.serving()).generation, { current: stored, next: undefined, previous: undefined, autoCutover: true });
  const server = (await db.query<{ pg: string; vector: string }>(
    `SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector`,
  )).rows[0];

  // The migration creates the HNSW index up front; inserting 100k rows one by one into it is
  // several times slower than one bulk build, so drop it and rebuild it (same definition) after the load.
  const hnswIndex = `${schema}.passages_embedding_hnsw_idx`;
  const indexDef = (await db.query<{ def: string }>(`SELECT pg_get_indexdef($1::regclass) AS def`, [hnswIndex])).rows[0].def;
  await db.query(`DROP INDEX ${quoteIdent(schema)}.passages_embedding_hnsw_idx`);

  const sizes = tenantSizes(DOCS, TENANTS);
  const dataRng = mulberry32(SEED);
  const tenantOf = assignTenants(dataRng, sizes);
  // Vectors from a PRNG of their own: the texts are the same whichever --vectors is chosen.
  const vectorRng = mulberry32(SEED + 3);
  const vectors: VectorModel = VECTORS === 'clustered' ? clusteredVectors(vectorRng, DIMS, CLUSTERS) : uniformVectors(vectorRng, DIMS);
  /** A sample of document vectors, for the cosine of random pairs in the report. */
  const sampleVectors: number[][] = [];
  note(`loading ${DOCS} documents into schema ${schema} (SearchStore.upsertDocuments, ${LOAD_BATCH} per batch, ${LOAD_CONCURRENCY} in flight)`);
  const loadStart = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let start = 0; start < DOCS; start += LOAD_BATCH) {
    const docs = [];
    const embeddings = [];
    for (let n = start; n < Math.min(DOCS, start + LOAD_BATCH); n++) {
      docs.push(makeDocument(dataRng, n, tenantOf[n]));
      const vector = vectors.document(n);
      if (n % 50 === 0) sampleVectors.push(vector);
      embeddings.push([vector]);
    }
    const p: Promise<void> = store.upsertDocuments(docs, { model: stored, embeddings }).then((r) => {
      if (r.inserted !== docs.length || r.pending !== 0) throw new Error(`load batch at ${start}: ${JSON.stringify({ ...r, outcomes: undefined })}`);
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= LOAD_CONCURRENCY) await Promise.race(inFlight);
    if ((start / LOAD_BATCH) % 40 === 39) note(`  ${start + LOAD_BATCH} documents, ${secs(loadStart)}`);
  }
  await Promise.all(inFlight);
  const loadMs = performance.now() - loadStart;

  note('building the HNSW index');
  const buildStart = performance.now();
  await db.transaction(async (tx) => {
    await tx.query(`SET LOCAL maintenance_work_mem = '1GB'`);
    // Leader + 1 worker: this machine has 2 cores.
    await tx.query(`SET LOCAL max_parallel_maintenance_workers = 1`);
    await tx.query(indexDef);
  });
  const buildMs = performance.now() - buildStart;
  // VACUUM as autovacuum would (it is off on some servers, e.g. this test machine): it flushes the
  // GIN pending list (up to 4 MB here, scanned linearly by every tsv search, which makes the planner
  // shy of the GIN index) and sets the visibility map. Without it plans can differ from production's.
  const vacuumStart = performance.now();
  await db.query(`${values['skip-vacuum'] ? 'ANALYZE' : 'VACUUM (ANALYZE)'} ${quoteIdent(schema)}.documents, ${quoteIdent(schema)}.passages`);
  const vacuumMs = performance.now() - vacuumStart;
  const size = (await db.query<{ passages: string; hnsw: string; ndocs: number }>(
    `SELECT pg_size_pretty(pg_total_relation_size($1::regclass)) AS passages, pg_size_pretty(pg_relation_size($2::regclass)) AS hnsw,
            (SELECT count(*) FROM ${quoteIdent(schema)}.passages WHERE fingerprint = $3)::int AS ndocs`,
    [`${schema}.passages`, hnswIndex, fingerprint],
  )).rows[0];
  if (size.ndocs !== DOCS) throw new Error(`expected ${DOCS} embedded passages with the embedder's fingerprint, found ${size.ndocs}`);

  // ------------------------------------------------------------ search process
  const searchProc: ServiceProcess = await startServiceProcess(
    'services/search/src/main.ts',
    {
      DATABASE_URL: databaseUrl,
      SEARCH_DB_SCHEMA: schema,
      EMBEDDER_ADDRESSES: `127.0.0.1:${embedderProc.listening.grpcPort}`,
      SEARCH_GRPC_HOST: '127.0.0.1',
      SEARCH_HTTP_HOST: '127.0.0.1',
      SEARCH_GRPC_PORT: '0',
      SEARCH_HTTP_PORT: '0',
      SEARCH_API_HOST: '127.0.0.1',
      SEARCH_API_PORT: '0',
      LOG_LEVEL: 'info',
    },
    'search listening',
  );
  cleanups.push(() => searchProc.stop());
  const client = searchClient(searchProc.listening.grpcPort as number);
  cleanups.push(() => client.close());

  // ------------------------------------------------------------ latency
  type Mode = 'semantic' | 'keyword' | 'hybrid';
  const MODES: Mode[] = ['semantic', 'keyword', 'hybrid'];
  const PROTO_MODE: Record<Mode, SearchMode> = {
    semantic: SearchMode.SEARCH_MODE_SEMANTIC,
    keyword: SearchMode.SEARCH_MODE_KEYWORD,
    hybrid: SearchMode.SEARCH_MODE_HYBRID,
  };
  const queryRng = mulberry32(SEED + 1);
  // Tenants uniform over tenants (small ones included), no other filter, first page of 10.
  const queries = Array.from({ length: QUERIES }, (_, i) => ({ tenantId: tenantName(i % TENANTS), text: makeQueryText(queryRng) }));
  // The same query vectors the service will get (the service embeds cleanQueryText(text), one text per call).
  const queryVectors = new Map<string, number[]>();
  for (const q of queries) {
    const text = cleanQueryText(q.text);
    if (queryVectors.has(text)) continue;
    const res = await embedder.embed({ texts: [text], inputType: InputType.INPUT_TYPE_QUERY });
    queryVectors.set(text, res.embeddings[0].values);
  }
  const noFilters: SearchFilters = parseFilters('', {});
  const queryModel = { digest: fingerprint, profile: 'e5', dimensions: DIMS, fixture: true };

  const direct = async (q: (typeof queries)[number], mode: Mode): Promise<string[]> => {
    const text = cleanQueryText(q.text);
    const vector = queryVectors.get(text)!;
    // The service's parameters: no floor (fixture model), ef_search default, the model's vectors only.
    const semantic = (depth: number) => store.semantic({ tenantId: q.tenantId, vector, model: queryModel, filters: noFilters, depth, efSearch: undefined });
    const keyword = (depth: number) => store.keyword({ tenantId: q.tenantId, text, filters: noFilters, depth });
    if (mode === 'semantic') return (await semantic(LIMIT + 1)).slice(0, LIMIT).map((h) => h.id);
    // Keyword evidence below a share of the best keyword rank does not count (the service's relevance cut).
    const strongEnough = (best: number, score: number) => score >= best * KEYWORD_RELATIVE_FLOOR;
    if (mode === 'keyword') {
      const kw = await keyword(LIMIT + 1);
      return kw.filter((h) => strongEnough(kw[0].score, h.score)).slice(0, LIMIT).map((h) => h.id);
    }
    const [sem, kw] = await Promise.all([semantic(HYBRID_DEPTH), keyword(HYBRID_DEPTH)]);
    return weightedFusion(sem, kw, { semanticWeight: SEARCH_LIMITS.defaultSemanticWeight })
      .filter((f) => f.semanticRank !== null || strongEnough(kw[0].score, f.keywordScore))
      .slice(0, LIMIT)
      .map((f) => f.id);
  };
  const viaService = async (q: (typeof queries)[number], mode: Mode, measured: boolean) => {
    const res = await client.search({ tenantId: q.tenantId, query: q.text, mode: PROTO_MODE[mode], limit: LIMIT });
    if (res.modeUsed !== PROTO_MODE[mode] || res.degraded) throw new Error(`service answered ${mode} as mode ${res.modeUsed} (${res.degradedReason})`);
    if (measured && mode !== 'keyword' && !res.cacheHit) throw new Error(`measured ${mode} call missed the query-vector cache`);
    return res;
  };

  note(`latency: ${QUERIES} queries × ${MODES.length} modes, each issued once to warm the query-vector cache, then measured`);
  for (const q of queries) {
    for (const mode of MODES) {
      await viaService(q, mode, false);
      await direct(q, mode);
    }
  }
  const lat = Object.fromEntries(MODES.map((m) => [m, { service: [] as number[], direct: [] as number[], took: [] as number[], same: 0, hits: 0 }]));
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i];
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(i + k) % MODES.length];
      const s = lat[mode];
      let serviceIds: string[] = [];
      let directIds: string[] = [];
      const svc = async () => {
        const t0 = performance.now();
        const res = await viaService(q, mode, true);
        s.service.push(performance.now() - t0);
        s.took.push(res.tookMs);
        serviceIds = res.hits.map((h) => h.id);
      };
      const dir = async () => s.direct.push(await timeIt(async () => (directIds = await direct(q, mode))));
      if (i % 2 === 0) {
        await svc();
        await dir();
      } else {
        await dir();
        await svc();
      }
      if (serviceIds.join() === directIds.join()) s.same++;
      s.hits += serviceIds.length;
    }
  }

  // ------------------------------------------------------------ recall
  const recallRng = mulberry32(SEED + 2);
  // Queries are about the subject of a random document (of the tenant, for the filtered ones).
  const docsOf: number[][] = Array.from({ length: TENANTS }, () => []);
  tenantOf.forEach((t, n) => docsOf[t].push(n));
  const randomDoc = (tenant: number | null) => {
    const pool = tenant === null ? null : docsOf[tenant];
    return pool === null ? Math.floor(recallRng() * DOCS) : pool[Math.floor(recallRng() * pool.length)];
  };
  const top = Math.min(5, TENANTS);
  const large = Math.min(10, TENANTS);
  interface RecallQuery {
    /** none: plain `ORDER BY embedding <=> q LIMIT 10` over the whole table, the index's recall without filters. */
    group: 'none' | 'tenant' | 'tenant+team';
    tenant: number;
    filters: { metadata?: Record<string, string> };
    vector: number[];
  }
  const recallQueries: RecallQuery[] = [];
  const addQueries = (group: RecallQuery['group'], make: (i: number) => Pick<RecallQuery, 'tenant' | 'filters'>) => {
    for (let i = 0; i < RECALL_QUERIES; i++) {
      const q = make(i);
      recallQueries.push({ group, ...q, vector: vectors.queryNear(recallRng, randomDoc(group === 'none' ? null : q.tenant)) });
    }
  };
  addQueries('none', () => ({ tenant: 0, filters: {} }));
  addQueries('tenant', (i) => ({ tenant: i % TENANTS, filters: {} }));
  addQueries('tenant+team', (i) => ({ tenant: i % top, filters: { metadata: { team: TEAMS[i % TEAMS.length] } } }));

  const params = (r: RecallQuery) => ({ tenantId: tenantName(r.tenant), vector: r.vector, model: { digest: fingerprint, profile: 'e5', dimensions: DIMS, fixture: true }, filters: parseFilters('', r.filters), depth: LIMIT, efSearch: undefined as number | undefined });
  const plainSql = `SELECT doc_id AS id, (1 - (embedding <=> $1::vector))::float8 AS score FROM ${quoteIdent(schema)}.passages ORDER BY embedding <=> $1::vector LIMIT ${LIMIT}`;
  /** Top ids by the HNSW path at this ef_search, or exactly ('exact': SET LOCAL enable_indexscan = off leaves no HNSW path). */
  const topHits = (r: RecallQuery, ef: number | 'exact') =>
    db.transaction(async (tx): Promise<{ id: string; score: number }[]> => {
      if (ef === 'exact') await tx.query('SET LOCAL enable_indexscan = off');
      if (r.group !== 'none') return semanticCandidatesIn(store.ctx, tx, ef === 'exact' ? params(r) : { ...params(r), efSearch: ef }, stored.key);
      if (ef !== 'exact') await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(ef)]);
      return (await tx.query<{ id: string; score: number }>(plainSql, [toVectorLiteral(r.vector, DIMS)])).rows;
    });
  // Whether the planner picks the HNSW index (for the store's query: its first round, candidates as semanticCandidatesIn computes them).
  const usesHnsw = (r: RecallQuery, ef: number) => {
    const normalized = { tenantId: tenantName(r.tenant), vectorLiteral: toVectorLiteral(r.vector, DIMS), filters: parseFilters('', r.filters), modelKey: stored.key };
    const { sql, values: args } =
      r.group === 'none' ? { sql: plainSql, values: [normalized.vectorLiteral] } : buildSemanticQuery(store.ctx, normalized, Math.max(40, (LIMIT + 1) * 4), LIMIT + 1);
    return db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true), set_config('hnsw.max_scan_tuples', $3, true)`, [
        String(ef),
        r.group === 'none' ? 'off' : 'relaxed_order',
        String(store.ctx.maxScanTuples),
      ]);
      return JSON.stringify((await tx.query(`EXPLAIN (FORMAT JSON) ${sql}`, args)).rows).includes('passages_embedding_hnsw_idx');
    });
  };
  interface RecallSample {
    query: RecallQuery;
    ef: number;
    recall: number;
    short: boolean;
    hnswPlan: boolean;
    ms: number;
    exactMs: number;
    /** Cosine of the exact top-1 and top-10 hit. */
    exactTop: [number, number];
  }
  const recallSamples: RecallSample[] = [];
  const exactTop = new Map<RecallQuery, [number, number]>();
  note(`recall: ${recallQueries.length} queries × ef_search ${EF_SEARCHES.join('/')} against exact search`);
  // Exact and each ef_search in a rotating order: whichever runs first after another query's exact scan
  // (which churns shared buffers) finds the index pages colder, so a fixed order would bias one of them.
  const runs: (number | 'exact')[] = ['exact', ...EF_SEARCHES];
  for (const [i, r] of recallQueries.entries()) {
    const hits = new Map<number | 'exact', { ids: string[]; ms: number }>();
    for (let k = 0; k < runs.length; k++) {
      const ef = runs[(i + k) % runs.length];
      let found: { id: string; score: number }[] = [];
      const t = await timeIt(async () => (found = await topHits(r, ef)));
      if (ef === 'exact' && found.length > 0) exactTop.set(r, [Number(found[0].score), Number(found[found.length - 1].score)]);
      hits.set(ef, { ids: found.map((h) => h.id), ms: t });
    }
    const exact = hits.get('exact')!;
    if (exact.ids.length === 0) continue;
    const exactIds = new Set(exact.ids);
    for (const ef of EF_SEARCHES) {
      const { ids, ms: t } = hits.get(ef)!;
      recallSamples.push({
        query: r,
        ef,
        recall: ids.filter((id) => exactIds.has(id)).length / exact.ids.length,
        short: ids.length < exact.ids.length,
        hnswPlan: await usesHnsw(r, ef),
        ms: t,
        exactMs: exact.ms,
        exactTop: exactTop.get(r)!,
      });
    }
  }

  // ------------------------------------------------------------ report
  const totalMs = performance.now() - started;
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const pairRng = mulberry32(SEED + 4);
  const randomPairCosine = meanOf(
    Array.from({ length: 2000 }, () => {
      const i = Math.floor(pairRng() * sampleVectors.length);
      const j = (i + 1 + Math.floor(pairRng() * (sampleVectors.length - 1))) % sampleVectors.length;
      return cosine(sampleVectors[i], sampleVectors[j]);
    }),
  );
  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  console.log(
    `search benchmark — ${DOCS} documents / passages, ${vectors.description}, ${TENANTS} tenants (Zipf: largest ${sizes[0]}, ` +
      `smallest ${sizes[sizes.length - 1]}), PostgreSQL ${server.pg}, pgvector ${server.vector}, seed ${SEED}`,
  );
  console.log(
    `load: SearchStore.upsertDocuments ${(loadMs / 1000).toFixed(1)} s (${Math.round(DOCS / (loadMs / 1000))} docs/s); ` +
      `HNSW build after load (m=16, ef_construction=64, maintenance_work_mem 1GB, 1 worker) ${(buildMs / 1000).toFixed(1)} s; ` +
      `${values['skip-vacuum'] ? 'ANALYZE (no VACUUM)' : 'VACUUM (ANALYZE)'} ${(vacuumMs / 1000).toFixed(1)} s; ` +
      `passages ${size.passages} incl. indexes, HNSW ${size.hnsw}`,
  );
  console.log('');
  console.log(
    `latency, ${QUERIES} queries per mode (tenant uniform over tenants, no locale/filter, limit ${LIMIT}); each query sent twice, the second measured:`,
  );
  console.log(`semantic/hybrid therefore hit the query-vector cache (asserted): search + SQL cost, no embedder call.`);
  console.log(`direct = the same store calls from this process on its own pg pool (hybrid: both queries in parallel + the default weighted fusion), interleaved.`);
  console.log(
    `${pad('mode', 9)}${lpad('direct p50', 12)}${lpad('p99', 11)}${lpad('gRPC p50', 12)}${lpad('p99', 11)}${lpad('ratio p50', 11)}${lpad('p99', 8)}` +
      `${lpad('in-svc p50', 12)}${lpad('same top10', 12)}${lpad('hits/q', 8)}`,
  );
  for (const mode of MODES) {
    const s = lat[mode];
    const d = summarize(s.direct);
    const g = summarize(s.service);
    console.log(
      `${pad(mode, 9)}${lpad(ms(d.p50), 12)}${lpad(ms(d.p99), 11)}${lpad(ms(g.p50), 12)}${lpad(ms(g.p99), 11)}${lpad(ratio(g.p50, d.p50), 11)}` +
        `${lpad(ratio(g.p99, d.p99), 8)}${lpad(ms(percentile(s.took, 50)), 12)}${lpad(`${s.same}/${s.service.length}`, 12)}` +
        `${lpad((s.hits / s.service.length).toFixed(1), 8)}`,
    );
  }
  console.log('(in-svc = took_ms reported by the service: SearchCore time without gRPC and process hop)');
  console.log('');
  console.log(
    `recall@10 of HNSW vs exact search (the same query in a transaction with SET LOCAL enable_indexscan = off), ${RECALL_QUERIES} ` +
      (vectors.kind === 'clustered' ? `query vectors per filter, each near the subject of a random document (of the tenant, when filtered)` : `random query vectors per filter`) +
      `; recall = |HNSW ∩ exact| / |exact|. Filtered rows: the store's semanticSearch (iterative scan relaxed_order, ` +
      `max_scan_tuples ${store.ctx.maxScanTuples}). "HNSW plan": queries for which the planner chose the HNSW index at all. ` +
      `top1/top10 cos: mean cosine of the exact 1st/10th hit. Random document pairs: mean cosine ${randomPairCosine.toFixed(3)}.`,
  );
  console.log(
    `${pad('filter', 34)}${lpad('ef', 5)}${lpad('recall', 8)}${lpad('min', 6)}${lpad('<10 hits', 10)}${lpad('HNSW plan', 11)}${lpad('p50', 11)}${lpad('exact p50', 11)}` +
      `${lpad('top1 cos', 10)}${lpad('top10 cos', 11)}`,
  );
  const groups: { name: string; match: (r: RecallQuery) => boolean }[] = [
    { name: 'none (whole table, plain SQL)', match: (r) => r.group === 'none' },
    { name: 'tenant (uniform over tenants)', match: (r) => r.group === 'tenant' },
    { name: `  largest ${large} tenants (≥${sizes[large - 1]} docs)`, match: (r) => r.group === 'tenant' && r.tenant < large },
    { name: `  other tenants (≤${sizes[Math.min(large, TENANTS - 1)]} docs)`, match: (r) => r.group === 'tenant' && r.tenant >= large },
    { name: `tenant+team (top ${top} tenants, 10%)`, match: (r) => r.group === 'tenant+team' },
  ];
  for (const g of groups) {
    for (const ef of EF_SEARCHES) {
      const rows = recallSamples.filter((s) => s.ef === ef && g.match(s.query));
      if (rows.length === 0) continue;
      const mean = meanOf(rows.map((s) => s.recall));
      console.log(
        `${pad(g.name, 34)}${lpad(String(ef), 5)}${lpad(mean.toFixed(3), 8)}${lpad(Math.min(...rows.map((s) => s.recall)).toFixed(1), 6)}` +
          `${lpad(`${rows.filter((s) => s.short).length}/${rows.length}`, 10)}${lpad(`${rows.filter((s) => s.hnswPlan).length}/${rows.length}`, 11)}` +
          `${lpad(ms(percentile(rows.map((s) => s.ms), 50)), 11)}${lpad(ms(percentile(rows.map((s) => s.exactMs), 50)), 11)}` +
          `${lpad(meanOf(rows.map((s) => s.exactTop[0])).toFixed(3), 10)}${lpad(meanOf(rows.map((s) => s.exactTop[1])).toFixed(3), 11)}`,
      );
    }
  }
  console.log(
    vectors.kind === 'uniform'
      ? '(uniform random vectors have no neighbourhood structure, the worst case for HNSW: the "none" rows are the index\'s ceiling on this data, ' +
          'not a prediction for e5 embeddings; filtered rows look better mainly where the planner searched exactly)'
      : '(clustered vectors: a document\'s subject is independent of its tenant, so a small tenant\'s nearest documents are only loosely related ' +
          '(top10 cos near the same-topic level) and the ranks among them are close: the hard case for filtered HNSW)',
  );
  console.log('');
  console.log(`runtime ${(totalMs / 1000).toFixed(0)} s; command: npm run bench:search${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`);
}
