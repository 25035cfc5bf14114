import type { Candidate, KeywordRetrieval } from '../core/search/ports.js';
import { filterConditions, SqlParams, toCandidate, type HitRow } from './search-queries.js';
import type { StoreContext } from './store-context.js';
import { ALL_TEXT_SEARCH_CONFIGS, textSearchConfigFor } from './text-search-config.js';

/**
 * Full-text search with `websearch_to_tsquery`, ranked by
 * `ts_rank_cd(tsv, query, 32)` (rank / (rank + 1), so 0..1), best passage per
 * document.
 *
 * With a locale filter the query is parsed with that locale's configuration:
 * `websearch_to_tsquery($cfg::regconfig, $text)` is immutable, so the planner
 * folds it into a constant (estimated from the tsv statistics, servable by the
 * GIN index, parsed once rather than per row).
 *
 * Without one, documents of different languages were indexed with different
 * configurations, so the query is parsed with every configuration and each
 * passage is matched only against the parse of its own configuration.
 * Parsing happens in a first, tiny statement that merges identical parses
 * (most words parse alike in most languages) and drops stop-word-only ones;
 * the search then binds the few distinct parses as `$n::tsquery` constants:
 * their OR selects candidates (estimated from statistics; GIN-servable for
 * tenants above SMALL_TENANT_PASSAGES, which the same statement counts), the
 * configuration's own parse is checked on them. A configuration taken from a
 * table instead would be parsed once per row and hide the query from the
 * planner.
 *
 * Ranking happens in the passages table (the documents join only where a
 * locale/source_type/metadata filter needs it): best passage per document,
 * ordered, cut to the requested depth; only those rows fetch the
 * document fields and the snippet. A passage always has its document (foreign
 * key, same tenant), so leaving the join out without filters changes nothing.
 */
export async function keywordCandidates(ctx: StoreContext, request: KeywordRetrieval): Promise<Candidate[]> {
  const { tenantId, filters, depth } = request;
  const query = request.text;

  const p = new SqlParams();
  const tenant = p.add(tenantId);
  const docFilters = filterConditions(p, filters);
  const joinDocuments = docFilters.length === 0 ? '' : ` JOIN ${ctx.s}.documents d ON d.tenant_id = p.tenant_id AND d.id = p.doc_id`;
  const where = [`p.tenant_id = ${tenant}`, ...(docFilters.length === 0 ? [] : [`d.tenant_id = ${tenant}`, ...docFilters])];
  const and = (conditions: string[], indent: string) => conditions.join(`\n${indent}AND `);
  let matches: string;
  if (filters.locale !== '') {
    // One configuration, folded into a constant by the planner; the GIN index on tsv may serve `@@`.
    const tsquery = `websearch_to_tsquery(${p.add(textSearchConfigFor(filters.locale))}::regconfig, ${p.add(query)}::text)`;
    matches = `
      SELECT p.doc_id, p.idx, ts_rank_cd(p.tsv, ${tsquery}, 32) AS rank
        FROM ${ctx.s}.passages p${joinDocuments}
       WHERE ${and([`numnode(${tsquery}) > 0`, ...where, `p.tsv @@ ${tsquery}`], '         ')}`;
  } else {
    const { groups, tenantPassages } = await parsePerConfig(ctx, tenantId, query);
    if (groups.length === 0) return [];
    const parsed = groups.map((g) => ({ query: `${p.add(g.query)}::tsquery`, configs: `${p.add(g.configs)}::regconfig[]` }));
    const allConfigs = parsed.length === 1 ? parsed[0].configs : `${p.add(groups.flatMap((g) => g.configs))}::regconfig[]`;
    const anyParse = parsed.map((g) => g.query).join(' || ');
    // Candidates: the passage's configuration has a parse and the passage matches one of the parses.
    const candidate =
      tenantPassages > SMALL_TENANT_PASSAGES
        ? `p.ts_config = ANY(${allConfigs}) AND p.tsv @@ (${anyParse})`
        : // A small tenant: scan its rows, never the GIN index. `(…) IS TRUE` is estimated like `@@`
          // but not matched to the index; otherwise the planner ANDs a GIN bitmap of every tenant's
          // matches into the scan of the tenant's few rows (it prices their heap pages above the
          // bitmap), 2-3x slower for a frequent word, and more the larger the whole table. One
          // clause, costlier than the tenant equality, so that a sequential scan checks that first.
          `(p.ts_config = ANY(${allConfigs}) AND p.tsv @@ (${anyParse})) IS TRUE`;
    if (parsed.length === 1) {
      matches = `
      SELECT p.doc_id, p.idx, ts_rank_cd(p.tsv, ${parsed[0].query}, 32) AS rank
        FROM ${ctx.s}.passages p${joinDocuments}
       WHERE ${and([...where, candidate], '         ')}`;
    } else {
      // Each candidate then has to match the parse of its own configuration. That check sits outside
      // an OFFSET 0 fence: the planner cannot estimate a per-row tsquery, and would under-estimate
      // the candidates and the documents join.
      const own = `CASE ${parsed.map((g) => `WHEN c.ts_config = ANY(${g.configs}) THEN ${g.query}`).join(' ')} END`;
      matches = `
      SELECT c.doc_id, c.idx, ts_rank_cd(c.tsv, ${own}, 32) AS rank
        FROM (SELECT p.doc_id, p.idx, p.ts_config, p.tsv
                FROM ${ctx.s}.passages p${joinDocuments}
               WHERE ${and([...where, candidate], '                 ')}
              OFFSET 0) c
       WHERE c.tsv @@ ${own}`;
    }
  }
  const sql = `
    WITH matches AS (${matches}
    ), best AS (
      SELECT DISTINCT ON (doc_id) doc_id, idx, rank FROM matches ORDER BY doc_id, rank DESC, idx
    ), page AS (
      SELECT doc_id, idx, rank FROM best
       ORDER BY rank DESC, doc_id
       LIMIT ${p.add(depth)}
    )
    SELECT b.doc_id AS id, d.title, d.locale, d.source_type, d.metadata, b.idx AS passage_index,
           ps.content AS snippet, b.rank::float8 AS score
      FROM page b
      JOIN ${ctx.s}.documents d ON d.tenant_id = ${tenant} AND d.id = b.doc_id
      JOIN ${ctx.s}.passages ps ON ps.tenant_id = ${tenant} AND ps.doc_id = b.doc_id AND ps.idx = b.idx
     ORDER BY b.rank DESC, b.doc_id`;
  const { rows } = await ctx.db.query<HitRow>(sql, p.values);
  return rows.map(toCandidate);
}

/**
 * Tenants with at most this many passages are searched by scanning their
 * passages; larger ones let the planner use the GIN index on tsv (a rare word
 * in a tenant of many thousand passages). Scanning this many rows takes a few ms
 * at most, so the index could not save much, and counting them costs little.
 */
export const SMALL_TENANT_PASSAGES = 2000;

/**
 * The query parsed with every configuration, identical parses merged: their
 * text and the configurations that produce them (stop-word-only parses left
 * out); and the tenant's passage count, counted up to SMALL_TENANT_PASSAGES + 1.
 */
async function parsePerConfig(
  ctx: StoreContext,
  tenantId: string,
  query: string,
): Promise<{ groups: { query: string; configs: string[] }[]; tenantPassages: number }> {
  const { rows } = await ctx.db.query<{ query: string; configs: string[]; tenant_passages: number }>(
    `WITH q AS MATERIALIZED (
       SELECT c.name, websearch_to_tsquery(c.name::regconfig, $2::text) AS query FROM unnest($1::text[]) AS c(name)
     )
     SELECT query::text AS query, array_agg(name ORDER BY name) AS configs,
            (SELECT count(*) FROM (SELECT 1 FROM ${ctx.s}.passages WHERE tenant_id = $3 LIMIT $4) t)::int AS tenant_passages
       FROM q
      WHERE numnode(query) > 0
      GROUP BY query::text
      ORDER BY min(name)`,
    [[...ALL_TEXT_SEARCH_CONFIGS], query, tenantId, SMALL_TENANT_PASSAGES + 1],
  );
  return { groups: rows.map(({ query: q, configs }) => ({ query: q, configs })), tenantPassages: rows.length > 0 ? Number(rows[0].tenant_passages) : 0 };
}
