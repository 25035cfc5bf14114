import type { Queryable } from './db.js';
import { knownFingerprint } from './document-state.js';
import {
  filterConditions,
  normalizeFilters,
  normalizeMinScore,
  normalizePaging,
  normalizeTenant,
  SqlParams,
  toHit,
  type HitRow,
  type Paging,
  type SearchFilters,
  type SearchPage,
} from './search-queries.js';
import { assertEfSearch, type StoreContext } from './store-context.js';
import { assertNonZero, toVectorLiteral, type VectorLike } from './vector-codec.js';

export interface SemanticSearchParams extends Paging {
  tenantId: string;
  /** The query embedding (from the embedder with input type QUERY). */
  vector: VectorLike;
  filters?: SearchFilters;
  /** Drop hits with cosine similarity below this. */
  minScore?: number | null;
  /** hnsw.ef_search for this query (1..1000); default from the store config. */
  efSearch?: number;
  /** Only passages embedded with this fingerprint (vectors of another model are not comparable). */
  fingerprint?: string | null;
}

/** Passages fetched per wanted document in the first round, and the cap on later rounds. */
const CANDIDATES_PER_DOCUMENT = 4;
const MIN_CANDIDATES = 40;
const MAX_CANDIDATES = 10_000;

interface SemanticRow extends HitRow {
  fetched: number;
  worst_distance: number | null;
}

/**
 * The nearest passages of the tenant under the filters (HNSW index scan,
 * `ORDER BY embedding <=> $q LIMIT $k`), then the best passage per document,
 * re-sorted by distance in an outer query — pgvector's recipe for iterative
 * scans in relaxed order. Score = 1 - cosine distance.
 */
export function buildSemanticQuery(
  ctx: StoreContext,
  params: { tenantId: string; vectorLiteral: string; filters: ReturnType<typeof normalizeFilters>; fingerprint: string | null; minScore: number | null },
  candidates: number,
  rowsWanted: number,
): { sql: string; values: unknown[] } {
  const p = new SqlParams();
  const tenant = p.add(params.tenantId);
  const q = p.add(params.vectorLiteral);
  const where = [`p.tenant_id = ${tenant}`, `d.tenant_id = ${tenant}`, 'p.embedding IS NOT NULL', ...filterConditions(p, params.filters)];
  if (params.fingerprint !== null) where.push(`p.fingerprint = ${p.add(params.fingerprint)}::text`);
  const scoreFilter = params.minScore === null ? '' : `WHERE 1 - b.distance >= ${p.add(params.minScore)}::float8`;
  const sql = `
    WITH nearest AS MATERIALIZED (
      SELECT p.doc_id, p.idx, p.embedding <=> ${q}::vector AS distance
        FROM ${ctx.s}.passages p
        JOIN ${ctx.s}.documents d ON d.tenant_id = p.tenant_id AND d.id = p.doc_id
       WHERE ${where.join('\n         AND ')}
       ORDER BY p.embedding <=> ${q}::vector
       LIMIT ${p.add(candidates)}
    ), best AS (
      SELECT DISTINCT ON (doc_id) doc_id, idx, distance FROM nearest ORDER BY doc_id, distance, idx
    )
    SELECT b.doc_id AS id, d.title, d.locale, d.source_type, d.metadata, b.idx AS passage_index,
           ps.content AS snippet, (1 - b.distance)::float8 AS score,
           (SELECT count(*) FROM nearest)::int AS fetched,
           (SELECT max(distance) FROM nearest)::float8 AS worst_distance
      FROM best b
      JOIN ${ctx.s}.documents d ON d.tenant_id = ${tenant} AND d.id = b.doc_id
      JOIN ${ctx.s}.passages ps ON ps.tenant_id = ${tenant} AND ps.doc_id = b.doc_id AND ps.idx = b.idx
      ${scoreFilter}
     ORDER BY b.distance, b.doc_id
     LIMIT ${p.add(rowsWanted)}`;
  return { sql, values: p.values };
}

/** Semantic search in its own transaction (needed for the transaction-local hnsw settings). */
export function semanticSearch(ctx: StoreContext, params: SemanticSearchParams): Promise<SearchPage> {
  return ctx.db.transaction((tx) => semanticSearchIn(ctx, tx, params));
}

/**
 * Semantic search inside the caller's transaction. Sets hnsw.ef_search and
 * hnsw.iterative_scan = relaxed_order (transaction-local), so a filtered
 * query keeps scanning the index until it has enough matching rows (bounded
 * by hnsw.max_scan_tuples). When the best-per-document step leaves fewer
 * documents than the page needs (documents with many close passages), the
 * candidate pool grows and the query repeats.
 */
export async function semanticSearchIn(ctx: StoreContext, tx: Queryable, params: SemanticSearchParams): Promise<SearchPage> {
  const tenantId = normalizeTenant(params.tenantId);
  const { limit, offset } = normalizePaging(params);
  const efSearch = params.efSearch || ctx.efSearch;
  assertEfSearch(efSearch);
  const normalized = {
    tenantId,
    vectorLiteral: toVectorLiteral(assertNonZero(params.vector, 'query vector'), ctx.dims, 'query vector'),
    filters: normalizeFilters(params.filters),
    fingerprint: knownFingerprint(params.fingerprint),
    minScore: normalizeMinScore(params.minScore),
  };
  await tx.query(
    `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
            set_config('hnsw.max_scan_tuples', $2, true)`,
    [String(efSearch), String(ctx.maxScanTuples)],
  );
  const wanted = offset + limit + 1;
  let candidates = Math.min(MAX_CANDIDATES, Math.max(MIN_CANDIDATES, wanted * CANDIDATES_PER_DOCUMENT));
  let rows: SemanticRow[];
  for (;;) {
    const { sql, values } = buildSemanticQuery(ctx, normalized, candidates, wanted);
    rows = (await tx.query<SemanticRow>(sql, values)).rows;
    const fetched = rows.length > 0 ? Number(rows[0].fetched) : 0;
    const worst = rows.length > 0 ? Number(rows[0].worst_distance) : 0;
    const exhausted = rows.length === 0 || fetched < candidates || candidates >= MAX_CANDIDATES;
    const belowThreshold = normalized.minScore !== null && 1 - worst < normalized.minScore;
    if (rows.length >= wanted || exhausted || belowThreshold) break;
    candidates = Math.min(MAX_CANDIDATES, candidates * 4);
  }
  return { hits: rows.slice(offset, offset + limit).map(toHit), hasMore: rows.length > offset + limit };
}
