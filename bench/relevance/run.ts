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
 *   ceiling for semantic search. "exact+cut" is the same ranking after the
 *   e5 profile's default relevance rules (absolute floor, margin below the
 *   best hit, low-confidence gap: services/search/src/core/min-score.ts).
 * - bm25: Okapi BM25 (k1 1.2, b 0.75) over the same documents (bm25.ts).
 *
 * A "hit" for the zero-hit and unanswerable figures is whatever a system
 * returns: the service after its relevance cut, exact+cut after the rules,
 * exact and BM25 always (they have none). A first hit is "confident" unless
 * the answer says low_confidence (the service, exact+cut).
 *
 * Then, in this process, over the lists the service returns without
 * relevance rules (semantic with min_score −1, keyword with min_score 0,
 * RAW_DEPTH deep): fusion and relevance-cut alternatives (alternatives.ts),
 * and the score distributions the defaults were chosen from.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { relevanceDefaults } from '../../services/search/src/core/min-score.js';
import { chunkDocument } from '../../services/search/src/passages/chunker.js';
import { realModelDir, REAL_MODEL_PROFILE, ROOT_DIR } from '../../shared/paths.js';
import { embedderClient, InputType } from '../../test/support/embedder-client.js';
import { searchClient, SearchMode } from '../../test/support/search-client.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../../test/support/service-process.js';
import { cutSemantic, FUSION_ALTERNATIVES, fuseLists, lowConfidence, type Scored } from './alternatives.js';
import { Bm25Index } from './bm25.js';
import { exactRanking, type PassageVector } from './exact.js';
import { byLanguage, byType, formatSummary, formatTable, percentileOf, type MetricKey, type SystemRun, type Table } from './report.js';
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
/** Depth of the rule-free lists the alternatives are computed from (the service's SEARCH_CANDIDATE_DEPTH). */
const RAW_DEPTH = 50;
const envNumber = (name: string) => (process.env[name] !== undefined ? Number(process.env[name]) : undefined);
/** The e5 profile's default relevance rules as the service applies them (SEARCH_MIN_SCORE / SEARCH_SCORE_MARGIN override, as there). */
const RULES = relevanceDefaults(
  { digest: '', profile: 'e5', dimensions: 384, fixture: false },
  { minScore: envNumber('SEARCH_MIN_SCORE'), margin: envNumber('SEARCH_SCORE_MARGIN') },
);
const MODES = [
  ['keyword', SearchMode.SEARCH_MODE_KEYWORD],
  ['semantic', SearchMode.SEARCH_MODE_SEMANTIC],
  ['hybrid', SearchMode.SEARCH_MODE_HYBRID],
] as const;
const SYSTEMS = ['keyword', 'semantic', 'hybrid', 'bm25', 'exact', 'exact+cut'] as const;
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
  systems: Record<string, { ids: string[]; scores: number[]; ms?: number; degraded?: boolean; lowConfidence?: boolean }>;
  /** What the service returns without relevance rules, RAW_DEPTH deep (semantic: cosine; keyword: keyword rank). */
  raw: { semantic: Scored[]; keyword: Scored[] };
  /** Exact cosine over the whole corpus: the top score, the best relevant and the best non-relevant one. */
  cosine: { top?: number; bestRelevant?: number; bestOther?: number };
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
  const QUERIES_PHASE = `queries (${suite.queries.length} × (3 modes + 2 rule-free lists) + baselines)`;
  const modeMs: Record<string, number[]> = { keyword: [], semantic: [], hybrid: [] };
  let degraded = 0;
  /** The service's list without relevance rules (a request's own min_score replaces them). */
  const rawSearch = async (query: string, mode: SearchMode, minScore: number): Promise<Scored[]> => {
    const res = await search.search({ tenantId: TENANT, query, mode, limit: RAW_DEPTH, minScore }, 60_000);
    if (res.degraded) degraded++;
    return res.hits.map((h) => ({ id: h.id, score: mode === SearchMode.SEARCH_MODE_SEMANTIC ? h.semanticScore : h.keywordScore }));
  };
  await phase(QUERIES_PHASE, async () => {
    for (const q of suite.queries) {
      const systems: QueryRecord['systems'] = {};
      for (const [name, mode] of MODES) {
        const t0 = performance.now();
        const res = await search.search({ tenantId: TENANT, query: q.query, mode, limit: LIMIT }, 60_000);
        const ms = performance.now() - t0;
        modeMs[name].push(ms);
        if (res.degraded) degraded++;
        systems[name] = { ids: res.hits.map((h) => h.id), scores: res.hits.map((h) => h.score), ms, degraded: res.degraded, lowConfidence: res.lowConfidence };
      }
      const qv = (await embedder.embed({ texts: [normalizeQuery(q.query)], inputType: InputType.INPUT_TYPE_QUERY }, 60_000)).embeddings[0].values;
      const exact = exactRanking(qv, passages);
      systems.exact = { ids: exact.slice(0, LIMIT).map((r) => r.id), scores: exact.slice(0, LIMIT).map((r) => r.score) };
      const cut = cutSemantic(exact.slice(0, LIMIT), RULES.floor, RULES.margin);
      systems['exact+cut'] = { ids: cut.map((r) => r.id), scores: cut.map((r) => r.score), lowConfidence: lowConfidence(exact, RULES.lowConfidenceGap, cut.length) };
      const b = bm25.search(q.query, q.lang, LIMIT);
      systems.bm25 = { ids: b.map((r) => r.id), scores: b.map((r) => r.score) };
      records.push({
        id: q.id,
        systems,
        raw: { semantic: await rawSearch(q.query, SearchMode.SEARCH_MODE_SEMANTIC, -1), keyword: await rawSearch(q.query, SearchMode.SEARCH_MODE_KEYWORD, 0) },
        cosine: {
          top: exact[0]?.score,
          bestRelevant: exact.find((r) => (q.relevant[r.id] ?? 0) > 0)?.score,
          bestOther: exact.find((r) => !(r.id in q.relevant))?.score,
        },
      });
    }
  });

  // ------------------------------------------------------------ report
  const runs: SystemRun[] = SYSTEMS.map((name) => ({
    name,
    rankings: new Map(records.map((r) => [r.id, r.systems[name].ids])),
    lowConfidence: new Set(records.filter((r) => r.systems[name].lowConfidence).map((r) => r.id)),
  }));
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
  console.log(
    `search: limit ${LIMIT}, no locale filter, default relevance rules and fusion; exact+cut = exact after the e5 rules ` +
      `(floor ${RULES.floor}, margin ${RULES.margin}, low-confidence gap ${RULES.lowConfidenceGap}); average = mean over languages`,
  );
  if (degraded > 0) console.log(`WARNING: ${degraded} searches came back degraded (answered by keyword): semantic/hybrid figures are understated`);
  console.log('');
  print('nDCG@10', perLanguage, 'ndcg10');
  print('Recall@10', perLanguage, 'recall10');
  print('MRR@10', perLanguage, 'mrr10');
  print('zero-hit share (answerable)', perLanguage, 'zeroHit');
  print('unanswerable with any hit', perLanguage, 'unanswerableWithHit');
  print('unanswerable with a confident hit (not low_confidence)', perLanguage, 'unanswerableConfident');
  print('first-hit precision (confident first hits that are relevant; all queries)', perLanguage, 'firstHitPrecision');
  print('answerable marked low_confidence', perLanguage, 'answerableLowConfidence');
  print('nDCG@10 by query type', perType, 'ndcg10');
  print('zero-hit share by query type', perType, 'zeroHit');

  // ------------------------------------------------------------ alternatives (this process, over the rule-free lists)
  const altRuns: SystemRun[] = [
    { name: 'semantic', rankings: new Map(records.map((r) => [r.id, r.raw.semantic.slice(0, LIMIT).map((h) => h.id)])) },
    { name: 'keyword', rankings: new Map(records.map((r) => [r.id, r.raw.keyword.slice(0, LIMIT).map((h) => h.id)])) },
    ...FUSION_ALTERNATIVES.map((alt) => ({ name: alt.name, rankings: new Map(records.map((r) => [r.id, fuseLists(r.raw.semantic, r.raw.keyword, alt, LIMIT)])) })),
  ];
  console.log(
    `Fusion alternatives, before any relevance rule (this process, the service's fusion functions over its rule-free lists): ` +
      `rrfK = RRF with k K, w.W = weighted with semantic weight W; @D = D candidates per side (else ${RAW_DEPTH}). The service's hybrid is w.9 + the cut.`,
  );
  console.log(`${formatTable('nDCG@10', byLanguage(suite.queries, suite.languages, altRuns), 'ndcg10', altRuns.map((r) => r.name), 'rrf60')}\n`);

  const cutRows = (label: string, floor: number | null, margin: number | null, gap: number | null): [string, SystemRun] => {
    const kept = new Map(records.map((r) => [r.id, cutSemantic(r.raw.semantic.slice(0, LIMIT), floor, margin)]));
    return [
      label,
      {
        name: label,
        rankings: new Map([...kept].map(([id, hits]) => [id, hits.map((h) => h.id)])),
        lowConfidence: new Set(records.filter((r) => lowConfidence(r.raw.semantic, gap, kept.get(r.id)!.length)).map((r) => r.id)),
      },
    ];
  };
  const meanHits = (run: SystemRun, answerable: boolean) => {
    const qs = suite.queries.filter((q) => (q.type !== 'unanswerable') === answerable);
    return (qs.reduce((n, q) => n + (run.rankings.get(q.id)?.length ?? 0), 0) / Math.max(1, qs.length)).toFixed(1);
  };
  const summaries = (rows: [string, SystemRun][]) =>
    rows.map(([label, run]) => ({
      label,
      summary: byLanguage(suite.queries, suite.languages, [run]).rows.get('average')!.get(run.name)!,
      extra: { 'hits (ans.)': meanHits(run, true), 'hits (unans.)': meanHits(run, false) },
    }));
  console.log(`Relevance-cut alternatives on semantic search (this process, over its rule-free list; the defaults: floor ${RULES.floor}, margin ${RULES.margin}, gap ${RULES.lowConfidenceGap}):`);
  console.log(
    `${formatSummary(
      'margin below the best hit',
      summaries([null, 0.02, 0.03, 0.05, 0.08].map((m) => cutRows(m === null ? 'none' : String(m), RULES.floor, m, null))),
      ['ndcg10', 'recall10', 'zeroHit'],
    )}\n`,
  );
  console.log(
    `${formatSummary(
      'low_confidence when top1 − top2 <',
      summaries([null, 0.001, 0.002, 0.003, 0.005, 0.01].map((g) => cutRows(g === null ? 'never' : String(g), RULES.floor, RULES.margin, g))),
      ['firstHitPrecision', 'unanswerableConfident', 'answerableLowConfidence', 'zeroHit'],
    )}\n`,
  );

  const cos = records.map((r) => ({ q: suite.queries.find((q) => q.id === r.id)!, c: r.cosine }));
  const answerable = cos.filter((x) => x.q.type !== 'unanswerable');
  const unanswerable = cos.filter((x) => x.q.type === 'unanswerable');
  const stat = (vs: (number | undefined)[]) => {
    const v = vs.filter((x): x is number => x !== undefined);
    const f = (p: number) => percentileOf(v, p)?.toFixed(3) ?? '–';
    return `p10 ${f(10)}  median ${f(50)}  p90 ${f(90)}`;
  };
  const share = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
  const floor = RULES.floor ?? -1;
  console.log('exact cosine scores (e5 query·passage), for the relevance rules:');
  console.log(`  best relevant, answerable queries         ${stat(answerable.map((x) => x.c.bestRelevant))}  p1 ${percentileOf(answerable.map((x) => x.c.bestRelevant ?? -1), 1)?.toFixed(3)}`);
  console.log(`  best non-relevant, answerable queries     ${stat(answerable.map((x) => x.c.bestOther))}`);
  console.log(`  top hit, answerable queries               ${stat(answerable.map((x) => x.c.top))}  min ${Math.min(...answerable.map((x) => x.c.top ?? 1)).toFixed(3)}`);
  console.log(`  top hit, unanswerable queries             ${stat(unanswerable.map((x) => x.c.top))}  min ${Math.min(...unanswerable.map((x) => x.c.top ?? 1)).toFixed(3)}`);
  console.log(
    `  at the floor ${floor}: answerable whose best relevant is below: ${share(answerable.filter((x) => (x.c.bestRelevant ?? -1) < floor).length, answerable.length)}; ` +
      `answerable emptied (top below): ${share(answerable.filter((x) => (x.c.top ?? -1) < floor).length, answerable.length)}; ` +
      `unanswerable whose top is at or above: ${share(unanswerable.filter((x) => (x.c.top ?? -1) >= floor).length, unanswerable.length)}; ` +
      `answerable whose best non-relevant beats the best relevant: ${share(answerable.filter((x) => (x.c.bestOther ?? -1) > (x.c.bestRelevant ?? -1)).length, answerable.length)}`,
  );
  // The semantic service's own rule-free list: how far below the best hit relevant hits lie, and how far the best leads the next.
  const byId = new Map(suite.queries.map((q) => [q.id, q]));
  const belowBest = records.flatMap((r) => {
    const q = byId.get(r.id)!;
    const top = r.raw.semantic.slice(0, LIMIT);
    return top.filter((h) => (q.relevant[h.id] ?? 0) > 0).map((h) => top[0].score - h.score);
  });
  const lead = (pick: (q: SuiteQuery, r: QueryRecord) => boolean) =>
    records.filter((r) => pick(byId.get(r.id)!, r) && r.raw.semantic.length > 1).map((r) => r.raw.semantic[0].score - r.raw.semantic[1].score);
  const firstRight = (q: SuiteQuery, r: QueryRecord) => (q.relevant[r.raw.semantic[0]?.id] ?? 0) > 0;
  console.log(`  relevant hits in the top ${LIMIT}, below the best hit   ${stat(belowBest)}  p99 ${percentileOf(belowBest, 99)?.toFixed(3)}  max ${Math.max(...belowBest).toFixed(3)}`);
  console.log(`  lead of the best hit over the next: first hit right ${stat(lead((q, r) => q.type !== 'unanswerable' && firstRight(q, r)))}`);
  console.log(`                                      first hit wrong ${stat(lead((q, r) => q.type !== 'unanswerable' && !firstRight(q, r)))}`);
  console.log(`                                      unanswerable    ${stat(lead((q) => q.type === 'unanswerable'))}`);
  console.log('');

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  timings.total = performance.now() - started;
  console.log(
    `timings: services ${secs(timings['start services'])}, upsert+embed ${secs(timings['upsert + embed (search service)'])} ` +
      `(${loaded.counts.inserted} inserted, ${loaded.counts.pending} pending at first), exact passages ${secs(timings['exact baseline: embed passages one at a time'])}, ` +
      `queries ${secs(timings[QUERIES_PHASE])} ` +
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
        settings: { limit: LIMIT, rules: RULES, rawDepth: RAW_DEPTH, upsertBatch, languages: suite.languages, locale: '' },
        corpus: { documents: suite.documents.length, passages: loaded.passages, upsert: loaded.counts },
        degradedSearches: degraded,
        timingsMs: timings,
        byLanguage: tableJson(perLanguage),
        byType: tableJson(perType),
        queries: records.map((r) => ({ ...r, lang: byId.get(r.id)!.lang, type: byId.get(r.id)!.type })),
      },
      null,
      1,
    )}\n`,
  );
  console.log(`results: ${outPath}`);
}
