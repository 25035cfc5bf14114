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
import type { StoreContext } from './store-context.js';
import { cleanText } from './text-input.js';
import { ALL_TEXT_SEARCH_CONFIGS, textSearchConfigFor } from './text-search-config.js';

export interface KeywordSearchParams extends Paging {
  tenantId: string;
  /** Free text in web-search syntax ("quoted phrase", or, -exclude); never raises a syntax error. */
  query: string;
  filters?: SearchFilters;
  /** Drop hits whose normalized rank is below this (0..1). */
  minScore?: number | null;
}

/**
 * Keyword queries longer than this are cut (at a space): a query is not a
 * document, and websearch_to_tsquery ANDs every word, so nothing that long
 * can match anyway, while parsing it once per configuration costs time.
 */
export const MAX_KEYWORD_QUERY_CHARS = 4096;

export function cleanKeywordQuery(query: string): string {
  let q = cleanText(query).trim();
  if (q.length > MAX_KEYWORD_QUERY_CHARS) {
    const cut = q.lastIndexOf(' ', MAX_KEYWORD_QUERY_CHARS);
    q = q.slice(0, cut > MAX_KEYWORD_QUERY_CHARS / 2 ? cut : MAX_KEYWORD_QUERY_CHARS);
  }
  return q;
}

/**
 * Full-text search with `websearch_to_tsquery`, ranked by
 * `ts_rank_cd(tsv, query, 32)` (rank / (rank + 1), so 0..1), best passage per
 * document.
 *
 * With a locale filter the query is parsed with that locale's configuration.
 * Without one, documents of different languages were indexed with different
 * configurations, so the query is parsed once per configuration and each
 * passage is matched only against the parse of its own configuration
 * (`p.ts_config = q.cfg`). Unlike `tsv @@ websearch_to_tsquery(p.ts_config, $q)`
 * — one parse per row, no index — the per-configuration queries are constants
 * the GIN index on tsv can serve. The cost is ~30 tiny parses per query.
 * Stop-word-only parses (numnode = 0) are dropped, so they match nothing
 * instead of raising a notice.
 */
export async function keywordSearch(ctx: StoreContext, params: KeywordSearchParams): Promise<SearchPage> {
  const tenantId = normalizeTenant(params.tenantId);
  const { limit, offset } = normalizePaging(params);
  const filters = normalizeFilters(params.filters);
  const minScore = normalizeMinScore(params.minScore);
  const query = cleanKeywordQuery(params.query);
  if (query === '') return { hits: [], hasMore: false };

  const p = new SqlParams();
  const tenant = p.add(tenantId);
  const text = p.add(query);
  const where = [`p.tenant_id = ${tenant}`, `d.tenant_id = ${tenant}`, ...filterConditions(p, filters)];
  let matches: string;
  if (filters.locale !== '') {
    // One configuration: the tsquery is a constant expression, so the GIN index on tsv serves `@@`.
    const tsquery = `websearch_to_tsquery(${p.add(textSearchConfigFor(filters.locale))}::regconfig, ${text}::text)`;
    matches = `
      SELECT p.doc_id, p.idx, ts_rank_cd(p.tsv, ${tsquery}, 32) AS rank
        FROM ${ctx.s}.passages p
        JOIN ${ctx.s}.documents d ON d.tenant_id = p.tenant_id AND d.id = p.doc_id
       WHERE numnode(${tsquery}) > 0
         AND p.tsv @@ ${tsquery}
         AND ${where.join('\n         AND ')}`;
  } else {
    // Every configuration: one parse each, then a parameterized GIN scan per parse; a passage
    // only matches the parse of its own configuration.
    matches = `
      SELECT p.doc_id, p.idx, ts_rank_cd(p.tsv, q.query, 32) AS rank
        FROM (SELECT c.cfg, websearch_to_tsquery(c.cfg, ${text}::text) AS query
                FROM (SELECT name::regconfig AS cfg FROM unnest(${p.add([...ALL_TEXT_SEARCH_CONFIGS])}::text[]) AS n(name)) c) q
        JOIN ${ctx.s}.passages p ON p.tsv @@ q.query AND p.ts_config = q.cfg
        JOIN ${ctx.s}.documents d ON d.tenant_id = p.tenant_id AND d.id = p.doc_id
       WHERE numnode(q.query) > 0
         AND ${where.join('\n         AND ')}`;
  }
  const scoreFilter = minScore === null ? '' : `WHERE b.rank >= ${p.add(minScore)}::float8`;
  const sql = `
    WITH matches AS (${matches}
    ), best AS (
      SELECT DISTINCT ON (doc_id) doc_id, idx, rank FROM matches ORDER BY doc_id, rank DESC, idx
    )
    SELECT b.doc_id AS id, d.title, d.locale, d.source_type, d.metadata, b.idx AS passage_index,
           ps.content AS snippet, b.rank::float8 AS score
      FROM best b
      JOIN ${ctx.s}.documents d ON d.tenant_id = ${tenant} AND d.id = b.doc_id
      JOIN ${ctx.s}.passages ps ON ps.tenant_id = ${tenant} AND ps.doc_id = b.doc_id AND ps.idx = b.idx
      ${scoreFilter}
     ORDER BY b.rank DESC, b.doc_id
     OFFSET ${p.add(offset)} LIMIT ${p.add(limit + 1)}`;
  const { rows } = await ctx.db.query<HitRow>(sql, p.values);
  return { hits: rows.slice(0, limit).map(toHit), hasMore: rows.length > limit };
}
