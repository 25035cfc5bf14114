import type { SemanticRetrieval } from '../core/search/ports.js';
import type { SearchFilters } from '../core/search/query.js';
import type { Queryable } from './db.js';
import { filterConditions, SqlParams, toCandidate, type HitRow } from './search-queries.js';
import type { StoreContext } from './store-context.js';
import { assertNonZero, toVectorLiteral } from './vector-codec.js';

/** Passages fetched per wanted document in the first round, and the cap on later rounds. */
const CANDIDATES_PER_DOCUMENT = 4;
const MIN_CANDIDATES = 40;
const MAX_CANDIDATES = 10_000;

interface SemanticRow extends HitRow {
  fetched: number;
}

/**
 * The nearest passages of the tenant under the filters (HNSW index scan,
 * `ORDER BY embedding <=> $q LIMIT $k`), then the best passage per document,
 * re-sorted by distance in an outer query — pgvector's recipe for iterative
 * scans in relaxed order. Score = 1 - cosine distance.
 */
export function buildSemanticQuery(
  ctx: StoreContext,
  params: { tenantId: string; vectorLiteral: string; filters: SearchFilters; fingerprint: string },
  candidates: number,
  rowsWanted: number,
): { sql: string; values: unknown[] } {
  const p = new SqlParams();
  const tenant = p.add(params.tenantId);
  const q = p.add(params.vectorLiteral);
  const where = [
    `p.tenant_id = ${tenant}`,
    `d.tenant_id = ${tenant}`,
    'p.embedding IS NOT NULL',
    `p.fingerprint = ${p.add(params.fingerprint)}::text`,
    ...filterConditions(p, params.filters),
  ];
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
           (SELECT count(*) FROM nearest)::int AS fetched
      FROM best b
      JOIN ${ctx.s}.documents d ON d.tenant_id = ${tenant} AND d.id = b.doc_id
      JOIN ${ctx.s}.passages ps ON ps.tenant_id = ${tenant} AND ps.doc_id = b.doc_id AND ps.idx = b.idx
     ORDER BY b.distance, b.doc_id
     LIMIT ${p.add(rowsWanted)}`;
  return { sql, values: p.values };
}

/** Semantic retrieval in its own transaction (needed for the transaction-local hnsw settings). */
export function semanticCandidates(ctx: StoreContext, request: SemanticRetrieval) {
  return ctx.db.transaction((tx) => semanticCandidatesIn(ctx, tx, request));
}

/**
 * Semantic retrieval inside the caller's transaction: the `depth` nearest
 * documents (best passage each) among the tenant's passages embedded by the
 * request's model. Sets hnsw.ef_search and hnsw.iterative_scan =
 * relaxed_order (transaction-local), so a filtered query keeps scanning the
 * index until it has enough matching rows (bounded by hnsw.max_scan_tuples).
 * When the best-per-document step leaves fewer documents than wanted
 * (documents with many close passages), the candidate pool grows and the
 * query repeats.
 */
export async function semanticCandidatesIn(ctx: StoreContext, tx: Queryable, request: SemanticRetrieval) {
  const params = {
    tenantId: request.tenantId,
    vectorLiteral: toVectorLiteral(assertNonZero(request.vector, 'query vector'), ctx.dims, 'query vector'),
    filters: request.filters,
    fingerprint: request.model.digest,
  };
  await tx.query(
    `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
            set_config('hnsw.max_scan_tuples', $2, true)`,
    [String(request.efSearch ?? ctx.efSearch), String(ctx.maxScanTuples)],
  );
  const wanted = request.depth;
  let candidates = Math.min(MAX_CANDIDATES, Math.max(MIN_CANDIDATES, wanted * CANDIDATES_PER_DOCUMENT));
  let rows: SemanticRow[];
  for (;;) {
    const { sql, values } = buildSemanticQuery(ctx, params, candidates, wanted);
    rows = (await tx.query<SemanticRow>(sql, values)).rows;
    const fetched = rows.length > 0 ? Number(rows[0].fetched) : 0;
    const exhausted = rows.length === 0 || fetched < candidates || candidates >= MAX_CANDIDATES;
    if (rows.length >= wanted || exhausted) break;
    candidates = Math.min(MAX_CANDIDATES, candidates * 4);
  }
  return rows.map(toCandidate);
}
