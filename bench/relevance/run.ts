/**
 * The relevance benchmark (entry point: bench/relevance.ts, which sets the log level first).
 *
 * Starts the embedder on the real multilingual-e5-small and the search service
 * (embedded PGlite, or DATABASE_URL in a schema of its own) as real processes,
 * loads the suite's documents through Search.Upsert, waits until nothing is
 * pending, then asks every query of the suite through Search.Search in each
 * mode (keyword, semantic, hybrid; limit 10, no locale filter: documents of
 * every language compete, as cross-language queries need) and compares with
 * two baselines computed in this process:
 *
 * - exact: brute-force cosine over the same passages (chunked by the
 *   service's chunker, title + passage, embedded by the same embedder with
 *   role passage, one text per call so no batch affects a vector); the
 *   ceiling for semantic search. "exact≥cut" is the same ranking cut at the
 *   absolute threshold semantic mode applies by default.
 * - bm25: Okapi BM25 (k1 1.2, b 0.75) over the same documents (bm25.ts).
 *
 * A "hit" for the zero-hit and unanswerable figures is whatever a system
 * returns: the service after its current relevance cut, exact≥cut after the
 * cut, exact and BM25 always (they have none).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { chunkDocument } from '../../services/search/src/passages/chunker.js';
import { realModelDir, REAL_MODEL_PROFILE, ROOT_DIR } from '../../shared/paths.js';
import { embedderClient, InputType } from '../../test/support/embedder-client.js';
import { searchClient, SearchMode } from '../../test/support/search-client.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../../test/support/service-process.js';
import { Bm25Index } from './bm25.js';
import { exactRanking, type PassageVector } from './exact.js';
import { byLanguage, byType, formatTable, percentileOf, type MetricKey, type SystemRun, type Table } from './report.js';
import { loadSuite, type SuiteQuery } from './suite.js';

const started = performance.now();
const { values } = parseArgs({
  options: {
    /** Comma-separated query languages (default: all). Every document is loaded either way. */
    langs: { type: 'string' },
    /** Documents per Upsert call. */
    'upsert-batch': { type: 'string', default: '16' },
    /** Where to write the JSON results (default bench/results/relevance-<time>.json). */
    out: { type: 'string' },
  },
});
const TENANT = 'relevance';
const LIMIT = 10;
/** Today's default semantic floor for the e5 profile (services/search/src/core/min-score.ts), unless SEARCH_MIN_SCORE overrides it. */
const TODAYS_E5_CUT = 0.78;
const CUT = process.env.SEARCH_MIN_SCORE !== undefined ? Number(process.env.SEARCH_MIN_SCORE) : TODAYS_E5_CUT;
const MODES = [
  ['keyword', SearchMode.SEARCH_MODE_KEYWORD],
  ['semantic', SearchMode.SEARCH_MODE_SEMANTIC],
  ['hybrid', SearchMode.SEARCH_MODE_HYBRID],
] as const;
const SYSTEMS = ['keyword', 'semantic', 'hybrid', 'bm25', 'exact', `exact≥${CUT}`] as const;
const note = (msg: string) => console.error(`· ${msg}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** As the search service normalizes a query before embedding it (services/search/src/cache/query-vector-cache.ts). */
const normalizeQuery = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();

const modelDir = realModelDir();
if (!modelDir) {
  console.log(
    'bench:relevance needs the real multilingual-e5-small (../shared/models/multilingual-e5-small, or POLYSEARCH_REAL_MODEL_DIR).\n' +
      'The generated fixture model has random weights: relevance figures on it would mean nothing, so nothing was measured.',
  );
  process.exit(0);
}

const cleanups: (() => Promise<unknown> | void)[] = [];
async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  cleanups.length = 0;
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  await run(modelDir);
} finally {
  await cleanup();
}

interface QueryRecord {
  id: string;
  systems: Record<string, { ids: string[]; scores: number[]; ms?: number; degraded?: boolean }>;
}

async function run(dir: string): Promise<void> {
  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    timings[name] = performance.now() - t0;
    note(`${name}: ${secs(timings[name])}`);
    return out;
  };
  const languages = values.langs?.split(',').map((l) => l.trim()).filter(Boolean);
  const suite = loadSuite(undefined, { languages });
  const upsertBatch = Number(values['upsert-batch']);
  if (!Number.isInteger(upsertBatch) || upsertBatch < 1 || upsertBatch > 100) throw new Error('--upsert-batch must be an integer from 1 to 100');
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? `bench_relevance_${Date.now().toString(36)}_${process.pid}` : 'polysearch';

  // ------------------------------------------------------------ processes
  const { embedderProc, searchProc } = await phase('start services', async () => {
    const loopback = { EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_HTTP_HOST: '127.0.0.1', SEARCH_GRPC_HOST: '127.0.0.1', SEARCH_HTTP_HOST: '127.0.0.1' };
    const embedderProc: ServiceProcess = await startServiceProcess(
      'services/embedder/src/main.ts',
      { ...loopback, MODEL_DIR: dir, MODEL_PROFILE: REAL_MODEL_PROFILE, EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_PORT: '0', LOG_LEVEL: 'info' },
      'embedder listening',
      120_000,
    );
    cleanups.push(() => embedderProc.stop());
    await waitFor(async () => (await httpStatus(embedderProc.listening.httpPort as number, '/readyz')) === 200, 180_000, 200);
    const searchProc: ServiceProcess = await startServiceProcess(
      'services/search/src/main.ts',
      {
        ...loopback,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        SEARCH_DB_SCHEMA: schema,
        EMBEDDER_ADDRESSES: `127.0.0.1:${embedderProc.listening.grpcPort}`,
        SEARCH_GRPC_PORT: '0',
        SEARCH_HTTP_PORT: '0',
        // This measures relevance, not latency: a query must never fall back to keyword because a shared core was busy.
        EMBEDDER_QUERY_TIMEOUT_MS: '20000',
        EMBEDDER_PASSAGE_TIMEOUT_MS: '120000',
        BACKFILL_INTERVAL_MS: '500',
        LOG_LEVEL: 'info',
      },
      'search listening',
      120_000,
    );
    cleanups.push(async () => {
      await searchProc.stop();
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    });
    return { embedderProc, searchProc };
  });
  const search = searchClient(searchProc.listening.grpcPort as number);
  cleanups.push(() => search.close());
  const embedder = embedderClient(embedderProc.listening.grpcPort as number);
  cleanups.push(() => embedder.close());
  const model = (await embedder.info()).model;

  // ------------------------------------------------------------ load through the Search API
  const loaded = await phase('upsert + embed (search service)', async () => {
    const counts = { inserted: 0, updated: 0, unchanged: 0, pending: 0 };
    for (let at = 0; at < suite.documents.length; at += upsertBatch) {
      const res = await search.upsert(
        suite.documents.slice(at, at + upsertBatch).map((d) => ({
          tenantId: TENANT,
          id: d.id,
          locale: d.lang,
          sourceType: d.kind,
          title: d.title,
          content: d.content,
          metadata: { source: d.source },
        })),
      );
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += res[k];
    }
    // Anything stored while the embedder could not answer is embedded by the backfill: wait for it.
    const stats = await waitFor(
      async () => {
        const s = await search.stats(TENANT);
        return Number(s.pendingPassages) === 0 ? s : undefined;
      },
      600_000,
      250,
    );
    return { counts, passages: Number(stats.tenants[0]?.passages ?? 0) };
  });

  // ------------------------------------------------------------ exact baseline: passage vectors, one text per call
  const passages = await phase('exact baseline: embed passages one at a time', async () => {
    const out: PassageVector[] = [];
    for (const d of suite.documents) {
      for (const p of chunkDocument({ title: d.title, content: d.content }).passages) {
        const res = await embedder.embed({ texts: [p.embeddingText], inputType: InputType.INPUT_TYPE_PASSAGE }, 60_000);
        out.push({ docId: d.id, vector: res.embeddings[0].values });
      }
    }
    return out;
  });
  if (passages.length !== loaded.passages) {
    note(`WARNING: the service stored ${loaded.passages} passages, the baseline chunked ${passages.length}: exact is not over the same passages`);
  }
  const bm25 = new Bm25Index(suite.documents);

  // ------------------------------------------------------------ queries
  const records: QueryRecord[] = [];
  const modeMs: Record<string, number[]> = { keyword: [], semantic: [], hybrid: [] };
  let degraded = 0;
  await phase(`queries (${suite.queries.length} × 3 modes + baselines)`, async () => {
    for (const q of suite.queries) {
      const rec: QueryRecord = { id: q.id, systems: {} };
      for (const [name, mode] of MODES) {
        const t0 = performance.now();
        const res = await search.search({ tenantId: TENANT, query: q.query, mode, limit: LIMIT }, 60_000);
        const ms = performance.now() - t0;
        modeMs[name].push(ms);
        if (res.degraded) degraded++;
        rec.systems[name] = { ids: res.hits.map((h) => h.id), scores: res.hits.map((h) => h.score), ms, degraded: res.degraded };
      }
      const qv = (await embedder.embed({ texts: [normalizeQuery(q.query)], inputType: InputType.INPUT_TYPE_QUERY }, 60_000)).embeddings[0].values;
      const exact = exactRanking(qv, passages);
      rec.systems.exact = { ids: exact.slice(0, LIMIT).map((r) => r.id), scores: exact.slice(0, LIMIT).map((r) => r.score) };
      const cut = exact.slice(0, LIMIT).filter((r) => r.score >= CUT);
      rec.systems[`exact≥${CUT}`] = { ids: cut.map((r) => r.id), scores: cut.map((r) => r.score) };
      const b = bm25.search(q.query, q.lang, LIMIT);
      rec.systems.bm25 = { ids: b.map((r) => r.id), scores: b.map((r) => r.score) };
      // For the relevance-cut diagnostics: the best relevant and best non-relevant cosine over the whole corpus.
      const bestRelevant = exact.find((r) => (q.relevant[r.id] ?? 0) > 0)?.score;
      const bestOther = exact.find((r) => !(r.id in q.relevant))?.score;
      (rec as QueryRecord & { cosine?: object }).cosine = { top: exact[0]?.score, bestRelevant, bestOther };
      records.push(rec);
    }
  });

  // ------------------------------------------------------------ report
  const runs: SystemRun[] = SYSTEMS.map((name) => ({ name, rankings: new Map(records.map((r) => [r.id, r.systems[name].ids])) }));
  const perLanguage = byLanguage(suite.queries, suite.languages, runs);
  const perType = byType(suite.queries, runs);
  const print = (title: string, table: Table, key: MetricKey) => console.log(`${formatTable(title, table, key, SYSTEMS, 'bm25')}\n`);

  console.log('');
  console.log(`polysearch relevance benchmark — ${new Date().toISOString()}`);
  console.log(`model ${model?.modelId ?? '?'} (${model?.profile}, ${model?.dimensions} dims, digest ${model?.digest.slice(0, 12)}), database ${databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}`);
  console.log(
    `${suite.documents.length} documents (${loaded.passages} passages) in ${new Set(suite.documents.map((d) => d.lang)).size} languages; ` +
      `${suite.queries.length} queries (${suite.queries.filter((q) => q.type !== 'unanswerable').length} with an answer, ${suite.queries.filter((q) => q.type === 'unanswerable').length} without)`,
  );
  console.log(`search: limit ${LIMIT}, no locale filter, default min_score and fusion; exact≥${CUT} = exact cut at the semantic default floor; average = mean over languages`);
  if (degraded > 0) console.log(`WARNING: ${degraded} searches came back degraded (answered by keyword): semantic/hybrid figures are understated`);
  console.log('');
  print('nDCG@10', perLanguage, 'ndcg10');
  print('Recall@10', perLanguage, 'recall10');
  print('MRR@10', perLanguage, 'mrr10');
  print('zero-hit share (answerable)', perLanguage, 'zeroHit');
  print('unanswerable with any hit', perLanguage, 'unanswerableWithHit');
  print('nDCG@10 by query type', perType, 'ndcg10');
  print('zero-hit share by query type', perType, 'zeroHit');

  const cos = records.map((r) => ({ q: suite.queries.find((q) => q.id === r.id)!, c: (r as QueryRecord & { cosine: { top?: number; bestRelevant?: number; bestOther?: number } }).cosine }));
  const answerable = cos.filter((x) => x.q.type !== 'unanswerable');
  const unanswerable = cos.filter((x) => x.q.type === 'unanswerable');
  const stat = (vs: (number | undefined)[]) => {
    const v = vs.filter((x): x is number => x !== undefined);
    const f = (p: number) => percentileOf(v, p)?.toFixed(3) ?? '–';
    return `p10 ${f(10)}  median ${f(50)}  p90 ${f(90)}`;
  };
  const share = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
  console.log('exact cosine scores (e5 query·passage), for the relevance cut:');
  console.log(`  best relevant, answerable queries         ${stat(answerable.map((x) => x.c.bestRelevant))}`);
  console.log(`  best non-relevant, answerable queries     ${stat(answerable.map((x) => x.c.bestOther))}`);
  console.log(`  top hit, unanswerable queries             ${stat(unanswerable.map((x) => x.c.top))}`);
  console.log(
    `  at ${CUT}: answerable whose best relevant is below: ${share(answerable.filter((x) => (x.c.bestRelevant ?? -1) < CUT).length, answerable.length)}; ` +
      `unanswerable whose top is at or above: ${share(unanswerable.filter((x) => (x.c.top ?? -1) >= CUT).length, unanswerable.length)}; ` +
      `answerable whose best non-relevant beats the best relevant: ${share(answerable.filter((x) => (x.c.bestOther ?? -1) > (x.c.bestRelevant ?? -1)).length, answerable.length)}`,
  );
  console.log('');

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  timings.total = performance.now() - started;
  console.log(
    `timings: services ${secs(timings['start services'])}, upsert+embed ${secs(timings['upsert + embed (search service)'])} ` +
      `(${loaded.counts.inserted} inserted, ${loaded.counts.pending} pending at first), exact passages ${secs(timings['exact baseline: embed passages one at a time'])}, ` +
      `queries ${secs(timings[`queries (${suite.queries.length} × 3 modes + baselines)`])} ` +
      `(mean per search: keyword ${mean(modeMs.keyword).toFixed(1)} ms, semantic ${mean(modeMs.semantic).toFixed(1)} ms, hybrid ${mean(modeMs.hybrid).toFixed(1)} ms), total ${secs(timings.total)}`,
  );

  const outPath = values.out ?? join(ROOT_DIR, 'bench', 'results', `relevance-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(outPath, '..'), { recursive: true });
  const tableJson = (t: Table) => Object.fromEntries([...t.rows].map(([row, m]) => [row, Object.fromEntries(m)]));
  writeFileSync(
    outPath,
    `${JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        model,
        database: databaseUrl ? 'postgres' : 'pglite',
        settings: { limit: LIMIT, cut: CUT, upsertBatch, languages: suite.languages, locale: '' },
        corpus: { documents: suite.documents.length, passages: loaded.passages, upsert: loaded.counts },
        degradedSearches: degraded,
        timingsMs: timings,
        byLanguage: tableJson(perLanguage),
        byType: tableJson(perType),
        queries: records.map((r) => ({ ...r, lang: suite.queries.find((q: SuiteQuery) => q.id === r.id)!.lang, type: suite.queries.find((q) => q.id === r.id)!.type })),
      },
      null,
      1,
    )}\n`,
  );
  console.log(`results: ${outPath}`);
}
