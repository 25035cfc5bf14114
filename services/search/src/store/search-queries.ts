import type { Candidate } from '../core/search/ports.js';
import type { SearchFilters } from '../core/search/query.js';

/**
 * What semantic and keyword retrieval share: the parameter collector, the
 * filter conditions and the row mapping. Requests arrive parsed and
 * validated by the core (core/search/query.ts); this is SQL and rows only.
 * Every filter value is a `$n` parameter; tenant_id is bound to every table.
 */

/** Collects `$n` parameters while SQL text is assembled. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** WHERE conditions on the documents alias `d` for the filters (tenant is handled by the caller). */
export function filterConditions(p: SqlParams, f: SearchFilters, d = 'd'): string[] {
  const conditions: string[] = [];
  if (f.locale !== '') {
    conditions.push(`(${d}.locale = ${p.add(f.locale)}::text OR starts_with(${d}.locale, ${p.add(`${f.locale}-`)}::text))`);
  }
  if (f.sourceTypes.length > 0) conditions.push(`${d}.source_type = ANY(${p.add(f.sourceTypes)}::text[])`);
  if (f.metadata) conditions.push(`${d}.metadata @> ${p.add(JSON.stringify(f.metadata))}::jsonb`);
  return conditions;
}

export interface HitRow {
  id: string;
  title: string;
  snippet: string;
  passage_index: number;
  score: number;
  locale: string;
  source_type: string;
  metadata: Record<string, string> | null;
}

export function toCandidate(r: HitRow): Candidate {
  return {
    id: r.id,
    title: r.title,
    snippet: r.snippet,
    passageIndex: Number(r.passage_index),
    score: Number(r.score),
    locale: r.locale,
    sourceType: r.source_type,
    metadata: r.metadata ?? {},
  };
}
