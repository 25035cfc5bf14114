import type { Candidate, KeywordRetrieval } from '../core/search/ports.js';
import { parseKeywordQuery } from './keyword-query.js';
import { filterConditions, SqlParams, toCandidate, type HitRow } from './search-queries.js';
import type { StoreContext } from './store-context.js';
import { isSingleCjkCharacter, keywordTextSql } from './text-index.js';
import { ALL_TEXT_SEARCH_CONFIGS, textSearchConfigFor } from './text-search-config.js';

/**
 * Keyword retrieval: any-word matching ranked like BM25, best passage per
 * document.
 *
 * 1. Parse (one small statement). The query's syntax (keyword-query.ts) is
 *    split in TypeScript; the text is then parsed by PostgreSQL with every
 *    text search configuration a passage can have (only the locale's one
 *    with a locale filter), through keyword_text (text-index.ts: NFKC, CJK
 *    bigrams), into per-configuration terms (stemmed, stop words dropped)
 *    and the tsquery of the required phrases and exclusions. Identical
 *    parses are merged (most words parse alike in most languages). The same
 *    statement counts the tenant's passages (up to KEYWORD_STATS_CAP).
 * 2. Search (one statement). Candidates are the tenant's passages matching
 *    any term of their own configuration's parse; the OR of all parses,
 *    bound as `$n::tsquery` constants, is what the planner estimates and the
 *    GIN index on tsv can serve (tenants above SMALL_TENANT_PASSAGES). Each
 *    candidate that satisfies its parse's phrases and exclusions and the
 *    filters is scored
 *
 *      Σ_terms idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))
 *
 *    with tf = 3·(title occurrences) + (passage occurrences) (from
 *    ts_rank_cd of the single term, which sums the weights of its
 *    positions), dl = distinct lexemes of the passage, avgdl their mean over
 *    the candidates' matching terms, idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)),
 *    df = candidates containing t, N = the tenant's passages. The score is
 *    divided by its ceiling for the query, Σ idf(t)·(k1 + 1), so it lies in
 *    0..1 and says how much of the query matched, weighted by rarity (what a
 *    keyword min_score and the relevance cut compare against).
 *
 * Document frequencies come from the candidates themselves: every passage
 * containing a query term is a candidate, so df is exact for the tenant,
 * always current, and costs no write-time bookkeeping: a per-term statistics
 * table would be updated by every upsert and delete (hot rows for common
 * words under concurrent writers) to save a count the ranking has to read
 * anyway. They are counted before filters, phrases and exclusions, which
 * select from the one ranking without changing it (a filtered page is a
 * slice of the unfiltered order).
 *
 * Cost: one pass over the candidates (every tenant passage containing any
 * query term; a term common in a large tenant makes that most of it), one
 * ts_rank_cd per (candidate, matching term), then aggregates over those rows.
 * On 100k passages in 100 tenants (bench/search corpus, PostgreSQL 15) that
 * was p50 6.9 ms / p99 44–80 ms against 4.2 / 19–24 ms for the AND query it
 * replaced; in a tenant of 19k passages p50 45 / p99 156–180 ms against
 * 24 / 76–94 ms.
 *
 * Ranking happens in the passages table (the documents join only where a
 * locale/source_type/metadata filter needs it): best passage per document,
 * ordered, cut to the requested depth; only those rows fetch the document
 * fields and the snippet. A passage always has its document (foreign key,
 * same tenant), so leaving the join out without filters changes nothing.
 */
export async function keywordCandidates(ctx: StoreContext, request: KeywordRetrieval): Promise<Candidate[]> {
  const { tenantId, filters, depth } = request;
  const configs = filters.locale !== '' ? [textSearchConfigFor(filters.locale)] : ALL_TEXT_SEARCH_CONFIGS;
  const { groups, tenantPassages } = await parseQuery(ctx, tenantId, request.text, configs);
  if (groups.length === 0) return [];

  const p = new SqlParams();
  const tenant = p.add(tenantId);
  const docFilters = filterConditions(p, filters);
  const and = (conditions: string[], indent: string) => conditions.join(`\n${indent}AND `);

  const bound = groups.map((g) => ({
    any: `${p.add(g.any)}::tsquery`,
    required: g.required === null ? null : `${p.add(g.required)}::tsquery`,
    configs: `${p.add(g.configs)}::regconfig[]`,
  }));
  const allConfigs = bound.length === 1 ? bound[0].configs : `${p.add(groups.flatMap((g) => g.configs))}::regconfig[]`;
  const anyTerm = bound.map((g) => g.any).join(' || ');
  const candidate =
    tenantPassages > SMALL_TENANT_PASSAGES
      ? `p.ts_config = ANY(${allConfigs}) AND p.tsv @@ (${anyTerm})`
      : // A small tenant: scan its rows, never the GIN index. `(…) IS TRUE` is estimated like `@@`
        // but not matched to the index; otherwise the planner ANDs a GIN bitmap of every tenant's
        // matches into the scan of the tenant's few rows (it prices their heap pages above the
        // bitmap), 2-3x slower for a frequent word, and more the larger the whole table. One
        // clause, costlier than the tenant equality, so that a sequential scan checks that first.
        `(p.ts_config = ANY(${allConfigs}) AND p.tsv @@ (${anyTerm})) IS TRUE`;
  // A candidate scores with the terms of its own configuration's parse (joined by group). That
  // happens outside an OFFSET 0 fence: the planner cannot estimate a per-row tsquery, and would
  // under-estimate the candidates.
  const groupOf = bound.length === 1 ? '0' : `CASE ${bound.map((g, i) => `WHEN p.ts_config = ANY(${g.configs}) THEN ${i}`).join(' ')} END`;
  // Phrases and exclusions of the passage's own parse (true when it has none).
  const requiredOk = bound.some((g) => g.required !== null)
    ? bound.length === 1
      ? `p.tsv @@ ${bound[0].required}`
      : `CASE ${bound.map((g) => `WHEN p.ts_config = ANY(${g.configs}) THEN ${g.required === null ? 'true' : `p.tsv @@ ${g.required}`}`).join(' ')} END`
    : 'true';
  // Filters select among the scored passages by their document.
  const filtered =
    docFilters.length === 0
      ? ''
      : `\n       JOIN ${ctx.s}.documents d ON d.tenant_id = ${tenant} AND d.id = h.doc_id AND ${and(docFilters, '                 ')}`;

  const terms = groups.flatMap((g, i) => termQueries(g.terms).map((query, j) => ({ group: i, lexeme: g.terms[j], query })));
  // One pass over the candidates yields a row per (passage, matching term) with everything scoring
  // needs (tf, the passage's length, whether it satisfies its phrases and exclusions); tsv itself is
  // never stored between steps. Statistics (df, avgdl) come from every candidate of the tenant, before
  // filters, phrases and exclusions: those select from one ranking, they do not change it (a
  // filtered page is a slice of the unfiltered order).
  const sql = `
    WITH terms AS (
      SELECT t.i::int AS i, t.g, t.lexeme, t.q
        FROM unnest(${p.add(terms.map((t) => t.group))}::int[], ${p.add(terms.map((t) => t.lexeme))}::text[], ${p.add(terms.map((t) => t.query))}::tsquery[])
             WITH ORDINALITY AS t(g, lexeme, q, i)
    ), hits AS (
      -- ts_rank_cd of one term sums the weights of its positions (0 when absent): tf in one call.
      SELECT * FROM (
        SELECT c.doc_id, c.idx, c.g, t.i, c.dl, c.required_ok,
               (${TITLE_WEIGHT_RATIO} * ts_rank_cd('{0.1, 0.2, ${1 / TITLE_WEIGHT_RATIO}, 1}'::float4[], c.tsv, t.q, 0))::float8 AS tf
          FROM (SELECT p.doc_id, p.idx, p.tsv, ${groupOf} AS g, length(p.tsv)::float8 AS dl, ${requiredOk} AS required_ok
                  FROM ${ctx.s}.passages p
                 WHERE ${and([`p.tenant_id = ${tenant}`, candidate], '                   ')}
                OFFSET 0) c
          JOIN terms t ON t.g = c.g) x
       WHERE tf > 0
    ), df AS (
      SELECT t.lexeme, count(*)::float8 AS df FROM hits h JOIN terms t ON t.i = h.i GROUP BY t.lexeme
    ), n AS (
      -- The tenant's passages (counted up to a cap: past it, never fewer than the commonest term's
      -- df), and the mean length of the candidates (over their matching terms).
      SELECT greatest(${p.add(tenantPassages)}::float8, max(df)) AS n, (SELECT avg(dl) FROM hits) AS avgdl FROM df
    ), idf AS (
      SELECT t.i, t.g, ln(1 + (n.n - coalesce(df.df, 0) + 0.5) / (coalesce(df.df, 0) + 0.5)) AS idf
        FROM terms t CROSS JOIN n LEFT JOIN df ON df.lexeme = t.lexeme
    ), weights AS (
      -- Per term (by ordinal) its idf; per group (by number + 1) the score's ceiling, Σ idf·(k1 + 1).
      SELECT (SELECT array_agg(idf ORDER BY i) FROM idf) AS idf,
             (SELECT array_agg(top ORDER BY g) FROM (SELECT g, sum(idf) * ${BM25_K1 + 1} AS top FROM idf GROUP BY g) c) AS top,
             n.avgdl
        FROM n
    ), scored AS (
      SELECT h.doc_id, h.idx,
             sum(w.idf[h.i] * h.tf * ${BM25_K1 + 1} / (h.tf + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * h.dl / w.avgdl))) / max(w.top[h.g + 1]) AS rank
        FROM hits h${filtered}
       CROSS JOIN weights w
       WHERE h.required_ok
       GROUP BY h.doc_id, h.idx
    ), best AS (
      -- Per document its best passage (the first, on a tie): the greatest [rank, -idx].
      SELECT doc_id, max(ARRAY[rank, -idx]) AS best FROM scored GROUP BY doc_id
       ORDER BY max(rank) DESC, doc_id
       LIMIT ${p.add(depth)}
    )
    SELECT b.doc_id AS id, d.title, d.locale, d.source_type, d.metadata, ps.idx AS passage_index,
           ps.content AS snippet, b.best[1] AS score
      FROM best b
      JOIN ${ctx.s}.documents d ON d.tenant_id = ${tenant} AND d.id = b.doc_id
      JOIN ${ctx.s}.passages ps ON ps.tenant_id = ${tenant} AND ps.doc_id = b.doc_id AND ps.idx = (-b.best[2])::int
     ORDER BY b.best[1] DESC, b.doc_id`;
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
 * The tenant's passages are counted up to this many for idf (N). Past it idf
 * shifts all terms alike (ln N/df), so ranking barely changes, and counting
 * stops costing more as a tenant grows.
 */
export const KEYWORD_STATS_CAP = 100_000;

/** Distinct terms per configuration a query is searched with (a pasted page needs no more to be found). */
export const MAX_KEYWORD_TERMS = 64;

/**
 * BM25 parameters (Robertson's defaults; on the relevance suite k1 0.6–2 and
 * b 0.3–0.9 moved nDCG@10 by under 0.005) and how much more a title
 * occurrence counts than one in the passage (3: chosen on the suite, 1–5
 * within 0.002).
 */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const TITLE_WEIGHT_RATIO = 3;

/**
 * One term as a tsquery. A lone CJK character meets only characters that
 * stand alone in the index (a Korean one-syllable word); when a parse has
 * nothing else ("紙"), its lone characters match as prefixes of indexed
 * bigrams instead (紙 → 紙詰, 紙幣…), so that such a query still finds
 * something. Beside other terms they stay exact: as prefixes they match
 * so widely that they drown the real terms (Korean counters and one-syllable
 * words: nDCG@10 on the suite's Korean queries fell from 0.624 to 0.607).
 */
function termQueries(lexemes: readonly string[]): string[] {
  const quote = (l: string) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  const prefixes = lexemes.every(isSingleCjkCharacter);
  return lexemes.map((l) => (prefixes ? `${quote(l)}:*` : quote(l)));
}

interface ParsedGroup {
  /** Configurations that parse the query this way. */
  configs: string[];
  /** Distinct terms, in query order. */
  terms: string[];
  /** tsquery text: any of the terms (what makes a passage a candidate). */
  any: string;
  /** tsquery text of the phrases and exclusions a candidate must also satisfy; null when there are none. */
  required: string | null;
}

/**
 * The query parsed with each configuration, identical parses merged
 * (configurations that leave no term are dropped: nothing to find), and the
 * tenant's passage count up to KEYWORD_STATS_CAP.
 */
async function parseQuery(
  ctx: StoreContext,
  tenantId: string,
  text: string,
  configs: readonly string[],
): Promise<{ groups: ParsedGroup[]; tenantPassages: number }> {
  const parts = parseKeywordQuery(text);
  if (parts.positive === '') return { groups: [], tenantPassages: 0 };
  const kt = (expr: string) => keywordTextSql(ctx.s, expr);
  const { rows } = await ctx.db.query<{ terms: string[]; required: string | null; configs: string[]; tenant_passages: number }>(
    `WITH c AS MATERIALIZED (
       SELECT c.name,
              ARRAY(SELECT u.lexeme FROM unnest(to_tsvector(c.name::regconfig, ${kt('$2::text')})) u
                     ORDER BY u.positions[1], u.lexeme LIMIT $6) AS terms,
              (SELECT string_agg(part, ' & ' ORDER BY ord)
                 FROM (SELECT '(' || q::text || ')' AS part, ord
                         FROM unnest($3::text[]) WITH ORDINALITY AS ph(text, ord),
                              LATERAL phraseto_tsquery(c.name::regconfig, ${kt('ph.text')}) AS q
                        WHERE numnode(q) > 0
                       UNION ALL
                       SELECT '!(' || q::text || ')', 1000000 + ord
                         FROM unnest($4::text[]) WITH ORDINALITY AS ex(text, ord),
                              LATERAL phraseto_tsquery(c.name::regconfig, ${kt('ex.text')}) AS q
                        WHERE numnode(q) > 0) r) AS required
         FROM unnest($1::text[]) AS c(name)
     )
     SELECT terms, required, array_agg(name ORDER BY name) AS configs,
            (SELECT count(*) FROM (SELECT 1 FROM ${ctx.s}.passages WHERE tenant_id = $5 LIMIT $7) t)::int AS tenant_passages
       FROM c
      WHERE cardinality(terms) > 0
      GROUP BY terms, required
      ORDER BY min(name)`,
    [[...configs], parts.positive, parts.phrases, parts.excluded, tenantId, MAX_KEYWORD_TERMS, KEYWORD_STATS_CAP],
  );
  const groups = rows.map((r) => ({ configs: r.configs, terms: r.terms, any: termQueries(r.terms).join(' | '), required: r.required || null }));
  return { groups, tenantPassages: rows.length > 0 ? Number(rows[0].tenant_passages) : 0 };
}
