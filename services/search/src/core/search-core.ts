import { invalidArgument, isPolysearchError, type PolysearchError } from '../../../../shared/errors.js';
import type { ModelFingerprint } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import { logger } from '../../../../shared/logger.js';
import { normalizeQuery, type QueryVectorCache } from '../cache/query-vector-cache.js';
import type { EmbedderClient } from '../embedder/embedder-client.js';
import { reciprocalRankFusion, weightedFusion, type FusedHit } from '../fusion/index.js';
import type { SearchMetrics } from '../metrics.js';
import { MAX_LIMIT, MAX_OFFSET, type SearchFilters, type SearchHit, type SearchPage } from '../store/search-queries.js';
import type { SearchStore } from '../store/search-store.js';
import { assertTenantId } from './ids.js';
import { defaultMinScore } from './min-score.js';
import { decodePageToken, encodePageToken, requestDigest } from './page-token.js';

export type Mode = 'hybrid' | 'semantic' | 'keyword';
export type FusionMethod = 'rrf' | 'weighted';

export interface SearchInput {
  tenantId: string;
  query: string;
  locale: string;
  mode: Mode;
  limit: number;
  pageToken: string;
  minScore?: number;
  filters: { sourceTypes: string[]; metadata: Record<string, string> };
  efSearch?: number;
  fusion: FusionMethod;
  semanticWeight?: number;
}

export interface ResultHit extends SearchHit {
  semanticScore: number;
  keywordScore: number;
}

export interface SearchOutput {
  hits: ResultHit[];
  modeUsed: Mode;
  fusionUsed?: FusionMethod;
  degraded: boolean;
  degradedReason: string;
  cacheHit: boolean;
  tookMs: number;
  nextPageToken: string;
}

export interface SearchCoreOptions {
  store: SearchStore;
  embedder: EmbedderClient;
  cache: QueryVectorCache;
  metrics: SearchMetrics;
  rrfK: number;
  /** SEARCH_MIN_SCORE; unset: by model profile. */
  minScore?: number;
  /** Whether the embedder serves a fixture model (no calibrated scores). */
  isFixtureModel: () => boolean;
}

export const MAX_SEARCH_LIMIT = 100;
const DEFAULT_LIMIT = 10;

type QueryVector = { vector: number[]; fingerprint: string; cacheHit: boolean } | { error: PolysearchError };

/**
 * Search by meaning, by keyword or both, for one tenant. When the embedder
 * cannot give a query vector (down, slow, circuit open) and the cache has
 * none, semantic and hybrid requests are answered by keyword and the
 * response says so; they never fail for that reason.
 */
export class SearchCore {
  constructor(private readonly o: SearchCoreOptions) {}

  async search(input: SearchInput): Promise<SearchOutput> {
    const started = performance.now();
    const req = validate(input);
    const digest = requestDigest([req.tenantId, req.query, req.locale, req.mode, req.limit, req.filters, req.minScore, req.fusion, req.semanticWeight]);
    const offset = decodePageToken(req.pageToken, digest);
    const filters: SearchFilters = { locale: req.locale, sourceTypes: req.filters.sourceTypes, metadata: req.filters.metadata };

    let modeUsed: Mode = req.mode;
    let degradedReason = '';
    let qv: QueryVector | undefined;
    if (req.mode !== 'keyword') {
      qv = await this.queryVector(req.query);
      if ('error' in qv) {
        modeUsed = 'keyword';
        degradedReason = `embedder unavailable (${qv.error.reason}); answered by keyword search`;
        this.o.metrics.degraded.inc({ reason: qv.error.reason });
      }
    }
    const vector = qv && !('error' in qv) ? qv : undefined;
    const semanticMin = req.minScore ?? defaultMinScore(this.o.embedder.fingerprint, this.o.isFixtureModel(), this.o.minScore);

    let hits: ResultHit[];
    let hasMore: boolean;
    let fusionUsed: FusionMethod | undefined;
    if (modeUsed === 'semantic') {
      const page = await this.semantic(req, filters, vector!, semanticMin, req.limit, offset);
      hits = page.hits.map((h) => ({ ...h, semanticScore: h.score, keywordScore: 0 }));
      hasMore = page.hasMore;
    } else if (modeUsed === 'keyword') {
      // A degraded request's threshold was meant for cosine scores: not applied to ranks.
      const keywordMin = req.mode === 'keyword' ? (req.minScore ?? null) : null;
      const page = await this.o.store.keywordSearch({ tenantId: req.tenantId, query: req.query, filters, limit: req.limit, offset, minScore: keywordMin });
      hits = page.hits.map((h) => ({ ...h, semanticScore: 0, keywordScore: h.score }));
      hasMore = page.hasMore;
    } else {
      // Both lists deep enough for this page, fused, then paged. Fusion ranks
      // at most the top MAX_LIMIT of each list; pages end there.
      const depth = Math.min(offset + req.limit * 2, MAX_LIMIT);
      const [sem, kw] = await Promise.all([
        this.semantic(req, filters, vector!, semanticMin, depth, 0),
        this.o.store.keywordSearch({ tenantId: req.tenantId, query: req.query, filters, limit: depth, offset: 0 }),
      ]);
      const fused: FusedHit<SearchHit>[] =
        req.fusion === 'weighted'
          ? weightedFusion(sem.hits, kw.hits, { semanticWeight: req.semanticWeight })
          : reciprocalRankFusion(sem.hits, kw.hits, { k: this.o.rrfK });
      fusionUsed = req.fusion;
      hits = fused.slice(offset, offset + req.limit).map((f) => ({ ...f.hit, score: f.score, semanticScore: f.semanticScore, keywordScore: f.keywordScore }));
      hasMore = offset + req.limit < MAX_LIMIT && (fused.length > offset + req.limit || sem.hasMore || kw.hasMore);
    }

    const tookMs = performance.now() - started;
    this.o.metrics.searchSeconds.observe({ mode: modeUsed }, tookMs / 1000);
    logger.debug(
      { tenantId: req.tenantId, mode: req.mode, modeUsed, hits: hits.length, queryChars: req.query.length, cacheHit: vector?.cacheHit ?? false, ms: Math.round(tookMs) },
      'search',
    );
    return {
      hits,
      modeUsed,
      fusionUsed,
      degraded: degradedReason !== '',
      degradedReason,
      cacheHit: vector?.cacheHit ?? false,
      tookMs,
      nextPageToken: hasMore && hits.length > 0 && offset + req.limit <= MAX_OFFSET ? encodePageToken(offset + req.limit, digest) : '',
    };
  }

  private semantic(
    req: SearchInput,
    filters: SearchFilters,
    vector: { vector: number[]; fingerprint: string },
    minScore: number | null,
    limit: number,
    offset: number,
  ): Promise<SearchPage> {
    return this.o.store.semanticSearch({
      tenantId: req.tenantId,
      vector: vector.vector,
      filters,
      limit,
      offset,
      minScore,
      efSearch: req.efSearch,
      // Vectors of another model are not comparable with this query's.
      fingerprint: vector.fingerprint,
    });
  }

  /** From the cache when possible (also while the embedder is down), else from the embedder. */
  private async queryVector(query: string): Promise<QueryVector> {
    const { cache, embedder, metrics } = this.o;
    const known: ModelFingerprint | undefined = embedder.fingerprint;
    if (known) {
      const cached = cache.get(known.digest, query);
      if (cached) return { vector: cached, fingerprint: known.digest, cacheHit: true };
    }
    try {
      const { vector, fingerprint } = await embedder.embedQuery(normalizeQuery(query));
      metrics.embedderCalls.inc({ role: 'query', outcome: 'ok' });
      cache.set(fingerprint.digest, query, vector);
      return { vector, fingerprint: fingerprint.digest, cacheHit: false };
    } catch (err) {
      if (isPolysearchError(err) && err.kind === 'unavailable') {
        metrics.embedderCalls.inc({ role: 'query', outcome: err.reason });
        return { error: err };
      }
      throw err;
    }
  }
}

function validate(input: SearchInput): SearchInput {
  assertTenantId(input.tenantId);
  if (input.query.trim() === '') throw invalidArgument('query is empty: send the text to search for', 'empty_query');
  const limit = input.limit === 0 ? DEFAULT_LIMIT : input.limit;
  if (limit > MAX_SEARCH_LIMIT) throw invalidArgument(`limit is ${limit}, the maximum is ${MAX_SEARCH_LIMIT}; page with page_token`, 'limit_too_large');
  if (input.minScore !== undefined && !(input.minScore >= -1 && input.minScore <= 1)) {
    throw invalidArgument('min_score must be between -1 and 1', 'bad_min_score');
  }
  if (input.efSearch !== undefined && (input.efSearch < 1 || input.efSearch > 1000)) {
    throw invalidArgument('ef_search must be between 1 and 1000 (0 uses the server default)', 'bad_ef_search');
  }
  if (input.semanticWeight !== undefined && !(input.semanticWeight >= 0 && input.semanticWeight <= 1)) {
    throw invalidArgument('semantic_weight must be between 0 and 1', 'bad_semantic_weight');
  }
  return { ...input, limit };
}
