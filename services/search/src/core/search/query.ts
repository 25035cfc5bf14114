import { invalidArgument } from '../../../../../shared/errors.js';
import { canonicalizeLocale } from '../../store/text-search-config.js';
import { cleanText } from '../../store/text-input.js';
import { assertTenantId, assertUserId } from '../ids.js';
import { decodePageToken, requestDigest } from '../page-token.js';
import { SEARCH_LIMITS } from './limits.js';

export type Mode = 'hybrid' | 'semantic' | 'keyword';
export type FusionMethod = 'rrf' | 'weighted';

/** A search request as a transport hands it over: raw, untrusted, proto defaults (0, '') meaning "unset". */
export interface SearchRequestInput {
  tenantId: string;
  query: string;
  locale?: string;
  mode?: Mode;
  limit?: number;
  pageToken?: string;
  minScore?: number;
  filters?: { sourceTypes?: readonly string[]; metadata?: Readonly<Record<string, string>> };
  efSearch?: number;
  fusion?: FusionMethod;
  semanticWeight?: number;
  /** Personalize for this user ('' = no). */
  userId?: string;
  /** 0 = plain ranking … 1 = the user's taste alone; unset = the default. */
  personalizationWeight?: number;
}

/** Filters in their canonical form: what the index adapters turn into SQL. */
export interface SearchFilters {
  /** Canonical BCP-47 tag; matches the tag and its sub-tags. '' = every locale. */
  locale: string;
  /** Any of these (empty = all). */
  sourceTypes: readonly string[];
  /** Every pair must match exactly (null = no metadata filter). */
  metadata: Readonly<Record<string, string>> | null;
}

/**
 * A parsed, validated search request: the value every stage trusts. Built
 * only by parseSearchQuery.
 */
export interface SearchQuery {
  readonly tenantId: string;
  /** Cleaned text (NFC, whitespace collapsed, NUL dropped, cut to maxQueryChars): what is embedded, matched and cached. */
  readonly text: string;
  readonly mode: Mode;
  readonly filters: SearchFilters;
  readonly offset: number;
  readonly limit: number;
  /** The caller's own relevance floor, if any (else the model's default applies). */
  readonly minScore: number | undefined;
  readonly efSearch: number | undefined;
  readonly fusion: { readonly method: FusionMethod; readonly semanticWeight: number | undefined };
  /** Set when the request names a user: rerank by their taste. */
  readonly personalization: { readonly userId: string; readonly weight: number } | undefined;
  /** Binds page tokens to the request that issued them. */
  readonly digest: string;
}

/**
 * The one place a search request is validated and given its defaults.
 * Messages say what to change. The result is frozen: stages read it, never
 * patch it.
 */
export function parseSearchQuery(input: SearchRequestInput): SearchQuery {
  const tenantId = assertTenantId(input.tenantId);
  const text = cleanQueryText(input.query ?? '');
  if (text === '') throw invalidArgument('query is empty: send the text to search for', 'empty_query');

  const limit = !input.limit ? SEARCH_LIMITS.defaultLimit : input.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.maxLimit) {
    throw invalidArgument(`limit is ${limit}, the maximum is ${SEARCH_LIMITS.maxLimit}; page with page_token`, 'limit_too_large');
  }
  const minScore = input.minScore;
  if (minScore !== undefined && !(minScore >= -1 && minScore <= 1)) {
    throw invalidArgument('min_score must be between -1 and 1 (cosine similarity)', 'bad_min_score');
  }
  const efSearch = input.efSearch ? input.efSearch : undefined;
  if (efSearch !== undefined && (!Number.isInteger(efSearch) || efSearch < SEARCH_LIMITS.minEfSearch || efSearch > SEARCH_LIMITS.maxEfSearch)) {
    throw invalidArgument(
      `ef_search must be between ${SEARCH_LIMITS.minEfSearch} and ${SEARCH_LIMITS.maxEfSearch} (0 uses the server default)`,
      'bad_ef_search',
    );
  }
  const semanticWeight = input.semanticWeight;
  if (semanticWeight !== undefined && !(semanticWeight >= 0 && semanticWeight <= 1)) {
    throw invalidArgument('semantic_weight must be between 0 and 1', 'bad_semantic_weight');
  }
  const mode = input.mode ?? 'hybrid';
  const fusion = { method: input.fusion ?? SEARCH_LIMITS.defaultFusion, semanticWeight } as const;
  const filters = parseFilters(input.locale, input.filters);
  const personalization = parsePersonalization(input.userId, input.personalizationWeight);

  const digest = requestDigest([tenantId, text, filters, mode, limit, minScore ?? null, fusion.method, semanticWeight ?? null, personalization ?? null]);
  const offset = decodePageToken(input.pageToken ?? '', digest);
  if (offset + limit > SEARCH_LIMITS.maxDepth) {
    throw invalidArgument(`pages end at ${SEARCH_LIMITS.maxDepth} hits; refine the query or the filters instead`, 'page_too_deep');
  }
  return Object.freeze({ tenantId, text, mode, filters, offset, limit, minScore, efSearch, fusion, personalization, digest });
}

function parsePersonalization(userId: string | undefined, weight: number | undefined): SearchQuery['personalization'] {
  if (!userId) {
    if (weight !== undefined) throw invalidArgument('personalization_weight needs a user_id: name the user whose taste should rank', 'weight_without_user');
    return undefined;
  }
  const id = assertUserId(userId);
  const w = weight ?? SEARCH_LIMITS.defaultPersonalizationWeight;
  if (!(w >= 0 && w <= 1)) throw invalidArgument('personalization_weight must be between 0 (plain ranking) and 1 (taste alone)', 'bad_personalization_weight');
  return Object.freeze({ userId: id, weight: w });
}

/** Cleans query text once: the same text is embedded, matched and used as the cache key. */
export function cleanQueryText(raw: string): string {
  let text = cleanText(raw).normalize('NFC').replace(/\s+/g, ' ').trim();
  if (text.length > SEARCH_LIMITS.maxQueryChars) {
    const cut = text.lastIndexOf(' ', SEARCH_LIMITS.maxQueryChars);
    text = text.slice(0, cut > SEARCH_LIMITS.maxQueryChars / 2 ? cut : SEARCH_LIMITS.maxQueryChars).trim();
  }
  return text;
}

/** Locale and filters of a request in canonical form (exported for adapters' tests and tools). */
export function parseFilters(locale: string | undefined, raw: SearchRequestInput['filters']): SearchFilters {
  const sourceTypes = [...new Set((raw?.sourceTypes ?? []).map((t) => cleanText(t)).filter((t) => t !== ''))];
  if (sourceTypes.length > SEARCH_LIMITS.maxSourceTypes) {
    throw invalidArgument(`filters.source_types has ${sourceTypes.length} entries, the limit is ${SEARCH_LIMITS.maxSourceTypes}`, 'too_many_filters');
  }
  const pairs = Object.entries(raw?.metadata ?? {});
  if (pairs.length > SEARCH_LIMITS.maxMetadataFilters) {
    throw invalidArgument(`filters.metadata has ${pairs.length} pairs, the limit is ${SEARCH_LIMITS.maxMetadataFilters}`, 'too_many_filters');
  }
  for (const [, v] of pairs) {
    if (typeof v !== 'string') throw invalidArgument('filters.metadata values must be strings', 'invalid_filter');
  }
  return Object.freeze({
    locale: canonicalizeLocale(locale),
    sourceTypes: Object.freeze(sourceTypes),
    metadata: pairs.length > 0 ? Object.freeze(Object.fromEntries(pairs.map(([k, v]) => [cleanText(k), cleanText(v)]))) : null,
  });
}
