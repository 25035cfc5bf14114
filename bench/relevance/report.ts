/**
 * Aggregation and printing for the relevance benchmark: figures per language
 * and system, a macro average over languages (each language weighs the same,
 * whatever its number of queries), and per query type.
 */
import { summarize, type Judgments, type QueryOutcome, type Summary } from './metrics.js';
import { QUERY_TYPES, type SuiteQuery } from './suite.js';

export interface SystemRun {
  /** Column name in the tables. */
  name: string;
  /** Query id → ranked document ids (best first). */
  rankings: Map<string, string[]>;
  /** Query ids whose answer the system marked low-confidence. */
  lowConfidence?: Set<string>;
}

export type MetricKey =
  | 'ndcg10'
  | 'recall10'
  | 'mrr10'
  | 'zeroHit'
  | 'unanswerableWithHit'
  | 'unanswerableConfident'
  | 'firstHitPrecision'
  | 'answerableLowConfidence';

const PERCENT_KEYS: readonly MetricKey[] = ['zeroHit', 'unanswerableWithHit', 'unanswerableConfident', 'firstHitPrecision', 'answerableLowConfidence'];

export interface Table {
  /** Row label → system name → summary. */
  rows: Map<string, Map<string, Summary>>;
}

function outcomes(queries: readonly SuiteQuery[], run: SystemRun): QueryOutcome[] {
  return queries.map((q) => ({ ranking: run.rankings.get(q.id) ?? [], judgments: q.relevant as Judgments, lowConfidence: run.lowConfidence?.has(q.id) ?? false }));
}

/** Rows: each language, then "average" (the mean of the language rows' figures). */
export function byLanguage(queries: readonly SuiteQuery[], languages: readonly string[], runs: readonly SystemRun[]): Table {
  const rows = new Map<string, Map<string, Summary>>();
  for (const lang of languages) {
    const own = queries.filter((q) => q.lang === lang);
    rows.set(lang, new Map(runs.map((r) => [r.name, summarize(outcomes(own, r))])));
  }
  rows.set('average', new Map(runs.map((r) => [r.name, macroAverage(languages.map((l) => rows.get(l)!.get(r.name)!))])));
  return { rows };
}

/** Rows: each query type, over every language's queries of that type. */
export function byType(queries: readonly SuiteQuery[], runs: readonly SystemRun[]): Table {
  const rows = new Map<string, Map<string, Summary>>();
  for (const type of QUERY_TYPES) {
    const own = queries.filter((q) => q.type === type);
    if (own.length > 0) rows.set(type, new Map(runs.map((r) => [r.name, summarize(outcomes(own, r))])));
  }
  return { rows };
}

/** The unweighted mean of each figure over the given summaries (undefined figures are left out). */
export function macroAverage(summaries: readonly Summary[]): Summary {
  const avg = (key: MetricKey) => {
    const values = summaries.map((s) => s[key]).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
  };
  return {
    answerable: summaries.reduce((n, s) => n + s.answerable, 0),
    unanswerable: summaries.reduce((n, s) => n + s.unanswerable, 0),
    ndcg10: avg('ndcg10'),
    recall10: avg('recall10'),
    mrr10: avg('mrr10'),
    zeroHit: avg('zeroHit'),
    unanswerableWithHit: avg('unanswerableWithHit'),
    unanswerableConfident: avg('unanswerableConfident'),
    firstHitPrecision: avg('firstHitPrecision'),
    answerableLowConfidence: avg('answerableLowConfidence'),
  };
}

/** A fixed-width table of one figure: rows × systems, with a divider before `dividerBefore`. */
export function formatTable(title: string, table: Table, key: MetricKey, systems: readonly string[], dividerBefore?: string): string {
  const percent = PERCENT_KEYS.includes(key);
  const cell = (v: number | undefined) => (v === undefined ? '–' : percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  const count = (s: Summary) =>
    key === 'unanswerableWithHit' || key === 'unanswerableConfident' ? s.unanswerable : key === 'firstHitPrecision' ? s.answerable + s.unanswerable : s.answerable;
  const labelWidth = Math.max(title.length, ...[...table.rows.keys()].map((k) => k.length + 6));
  const widths = systems.map((s) => Math.max(s.length, 7));
  const header = [title.padEnd(labelWidth), ...systems.map((s, i) => (s === dividerBefore ? `| ${s.padStart(widths[i])}` : s.padStart(widths[i])))].join('  ');
  const lines = [header];
  for (const [label, bySystem] of table.rows) {
    const first = bySystem.get(systems[0])!;
    // A row without queries for this figure (e.g. unanswerable queries in a ranking table) says nothing.
    if (count(first) === 0) continue;
    const cells = systems.map((s, i) => {
      const text = cell(bySystem.get(s)?.[key]).padStart(widths[i]);
      return s === dividerBefore ? `| ${text}` : text;
    });
    lines.push([`${label} (${count(first)})`.padEnd(labelWidth), ...cells].join('  '));
  }
  return lines.join('\n');
}

/**
 * A fixed-width table of alternatives (rows) × figures (columns), each figure
 * the macro average over languages, plus free-form extra columns.
 */
export function formatSummary(
  title: string,
  rows: readonly { label: string; summary: Summary; extra?: Record<string, string> }[],
  keys: readonly MetricKey[],
): string {
  const NAMES: Record<MetricKey, string> = {
    ndcg10: 'nDCG@10',
    recall10: 'Recall@10',
    mrr10: 'MRR@10',
    zeroHit: 'emptied (ans.)',
    unanswerableWithHit: 'unans. with hit',
    unanswerableConfident: 'unans. confident',
    firstHitPrecision: 'first-hit prec.',
    answerableLowConfidence: 'ans. low_conf.',
  };
  const extraNames = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))];
  const headers = [...keys.map((k) => NAMES[k]), ...extraNames];
  const labelWidth = Math.max(title.length, ...rows.map((r) => r.label.length));
  const cell = (k: MetricKey, v: number | undefined) => (v === undefined ? '–' : PERCENT_KEYS.includes(k) ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  const lines = [[title.padEnd(labelWidth), ...headers.map((h) => h.padStart(Math.max(h.length, 7)))].join('  ')];
  for (const r of rows) {
    const values = [...keys.map((k) => cell(k, r.summary[k])), ...extraNames.map((n) => r.extra?.[n] ?? '–')];
    lines.push([r.label.padEnd(labelWidth), ...values.map((v, i) => v.padStart(Math.max(headers[i].length, 7)))].join('  '));
  }
  return lines.join('\n');
}

/** p-th percentile (nearest rank) of a non-empty list; undefined for an empty one. */
export function percentileOf(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
