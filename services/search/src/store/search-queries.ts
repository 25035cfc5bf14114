import { invalidArgument } from '../../../../shared/errors.js';
import { canonicalizeLocale } from './text-search-config.js';
import { assertKey, cleanText } from './text-input.js';

/**
 * What semantic and keyword search share: filters, paging, the hit shape and
 * the parameter collector. Every filter value is a `$n` parameter; tenant_id
 * is required by every query and bound to every table in it.
 */
export interface SearchFilters {
  /**
   * BCP-47 tag. Matches documents of this locale and its sub-tags (RFC 4647
   * basic filtering): "de" matches "de", "de-CH", "de-AT"; "de-CH" only
   * "de-CH". Empty: all locales.
   */
  locale?: string;
  /** Any of these source types (empty: all). */
  sourceTypes?: readonly string[];
  /** Every pair must match the document's metadata exactly. */
  metadata?: Readonly<Record<string, string>>;
}

export interface Paging {
  limit: number;
  offset?: number;
}

export interface SearchHit {
  id: string;
  title: string;
  /** The best-matching passage of the document. */
  snippet: string;
  passageIndex: number;
  /** Semantic: cosine similarity (1 - cosine distance). Keyword: ts_rank_cd normalized to 0..1 (rank / (rank + 1)). */
  score: number;
  locale: string;
  sourceType: string;
  metadata: Record<string, string>;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Another page exists after this one. */
  hasMore: boolean;
}

export const MAX_LIMIT = 1000;
export const MAX_OFFSET = 10_000;

export interface NormalizedFilters {
  locale: string;
  sourceTypes: string[];
  metadata: Record<string, string> | null;
}

export function normalizeFilters(filters: SearchFilters | undefined): NormalizedFilters {
  const metadataEntries = Object.entries(filters?.metadata ?? {});
  for (const [, v] of metadataEntries) {
    if (typeof v !== 'string') throw invalidArgument('metadata filter values must be strings', 'invalid_filter');
  }
  return {
    locale: canonicalizeLocale(filters?.locale),
    sourceTypes: [...new Set((filters?.sourceTypes ?? []).map((t) => cleanText(t)))],
    metadata: metadataEntries.length > 0 ? Object.fromEntries(metadataEntries.map(([k, v]) => [cleanText(k), cleanText(v)])) : null,
  };
}

export function normalizePaging(paging: Paging): { limit: number; offset: number } {
  const offset = paging.offset ?? 0;
  if (!Number.isInteger(paging.limit) || paging.limit < 1 || paging.limit > MAX_LIMIT) {
    throw invalidArgument(`limit must be an integer in 1..${MAX_LIMIT}`, 'invalid_limit');
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw invalidArgument(`offset must be an integer in 0..${MAX_OFFSET}`, 'invalid_page');
  }
  return { limit: paging.limit, offset };
}

export function normalizeTenant(tenantId: string): string {
  return assertKey('tenant_id', tenantId);
}

export function normalizeMinScore(minScore: number | null | undefined): number | null {
  if (minScore === undefined || minScore === null) return null;
  if (!Number.isFinite(minScore)) throw invalidArgument('min_score must be a finite number', 'invalid_min_score');
  return minScore;
}

/** Collects `$n` parameters while SQL text is assembled. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** WHERE conditions on the documents alias `d` for the filters (tenant is handled by the caller). */
export function filterConditions(p: SqlParams, f: NormalizedFilters, d = 'd'): string[] {
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

export function toHit(r: HitRow): SearchHit {
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
