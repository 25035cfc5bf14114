/**
 * How text becomes keyword-index terms — the one definition every writer of
 * `passages.tsv` and the keyword query parser use, so that a query meets the
 * index in the same form.
 *
 * Before PostgreSQL's parser sees it, text goes through the schema's SQL
 * function `keyword_text(text)` (created by migration 2,
 * KEYWORD_TEXT_FUNCTION_SQL):
 *
 * - NFKC (full-width Latin and digits, half-width katakana, ligatures become
 *   their ordinary forms);
 * - scripts written without spaces between words (Han, Hiragana, Katakana)
 *   and Hangul (spaced by words that carry particles) are split into
 *   overlapping character bigrams: 東京都の → "東京 京都 都の". No dictionary;
 *   it is what CJK search engines fall back to, and PostgreSQL has no parser
 *   for these languages (its parser would keep a whole run as one "word").
 *   A run of one character stays a unigram. Query text goes through the same
 *   function, so a query bigram meets the indexed one; a quoted CJK phrase
 *   becomes a chain of adjacent bigrams.
 *
 * Text in other scripts is left as it is: per-language stemming and stop
 * words still come from the passage's text search configuration.
 *
 * The function lives in the schema, not in this file's SQL text, because the
 * stored tsvectors depend on it: changing it means a migration that replaces
 * it and re-derives `tsv` (as migration 2 does), so stored and query-time
 * terms never drift apart.
 */

/**
 * Code point ranges split into bigrams: Hangul Jamo, 々〆〇, Hiragana,
 * Katakana (without the middle dot ・, which is punctuation), Hangul
 * compatibility Jamo, Katakana extensions, CJK extension A, CJK unified
 * ideographs, Hangul syllables, compatibility ideographs, and the
 * supplementary ideograph planes (extensions B–H).
 */
export const CJK_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x11ff],
  [0x3005, 0x3007],
  [0x3041, 0x309f],
  [0x30a1, 0x30fa],
  [0x30fc, 0x30ff],
  [0x3130, 0x318f],
  [0x31f0, 0x31ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7af],
  [0xf900, 0xfaff],
  [0x20000, 0x3134f],
];

const hex = (cp: number) => (cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);
/** The ranges as the body of a PostgreSQL regular-expression bracket (escapes, no literal CJK in SQL text). */
const SQL_CLASS = CJK_RANGES.map(([a, b]) => `${hex(a)}-${hex(b)}`).join('');

/** Whether a string is a single CJK character (a query term that can only be a prefix of indexed bigrams). */
export function isSingleCjkCharacter(term: string): boolean {
  const chars = [...term];
  if (chars.length !== 1) return false;
  const cp = chars[0].codePointAt(0)!;
  return CJK_RANGES.some(([a, b]) => cp >= a && cp <= b);
}

/** Name of the schema function (unqualified). */
export const KEYWORD_TEXT_FUNCTION = 'keyword_text';

/**
 * CREATE statement of `<schema>.keyword_text(text)`: an immutable SQL
 * function the planner inlines. Spaces go around each CJK run, then every
 * character inside a run (neither its first nor its last) is doubled with a
 * space between ("ABCD" → "AB BC CD").
 */
export function keywordTextFunctionSql(schema: string): string {
  const run = `[${SQL_CLASS}]`;
  return `CREATE OR REPLACE FUNCTION ${schema}.${KEYWORD_TEXT_FUNCTION}(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $fn$ SELECT regexp_replace(regexp_replace(normalize($1, NFKC), '(${run}+)', ' \\1 ', 'g'),
                                  '(?<=${run})(${run})(?=${run})', '\\1 \\1', 'g') $fn$`;
}

/** SQL: `text` (an SQL expression) prepared for to_tsvector / phraseto_tsquery. */
export function keywordTextSql(schema: string, text: string): string {
  return `${schema}.${KEYWORD_TEXT_FUNCTION}(${text})`;
}

/**
 * SQL: a passage's tsvector from SQL expressions for its text search
 * configuration (regconfig), its document's title and its own text. The
 * title is weight A, the passage weight B; keyword ranking counts a title
 * occurrence three times (keyword-search.ts). Every writer of passages.tsv
 * uses this.
 */
export function passageTsvectorSql(schema: string, config: string, title: string, content: string): string {
  return (
    `setweight(to_tsvector(${config}, ${keywordTextSql(schema, title)}), 'A') || ` +
    `setweight(to_tsvector(${config}, ${keywordTextSql(schema, content)}), 'B')`
  );
}

/**
 * A PostgreSQL regular expression matching text that keyword_text changes
 * (used by the migration to re-derive only the rows whose terms change).
 */
export const CJK_REGEX_SQL = `[${SQL_CLASS}]`;
