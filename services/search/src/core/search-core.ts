import { logger } from '../../../../shared/logger.js';
import type { SearchMetrics } from '../metrics.js';
import { relevanceDefaults } from './min-score.js';
import { fuse } from './search/fuse.js';
import { page, retrievalWindow } from './search/page.js';
import type { Candidate, QueryEmbedder, QueryVectorCache, SearchIndex } from './search/ports.js';
import { parseSearchQuery, type FusionMethod, type Mode, type SearchRequestInput } from './search/query.js';
import { isLowConfidence, relevanceCut, relevancePolicyFor } from './search/relevance-cut.js';
import { rerankAll, type Reranker } from './search/rerank.js';
import { retrieve } from './search/retrieve.js';

export type { FusionMethod, Mode, SearchRequestInput };

export interface ResultHit extends Candidate {
  /** The score hits are ordered by (fused in hybrid mode). */
  score: number;
  /** Cosine of the best passage; 0 when the semantic side did not find it. */
  semanticScore: number;
  /** Keyword rank of the best passage; 0 when the keyword side did not find it. */
  keywordScore: number;
  /** Cosine to the user's taste; undefined when not personalized. */
  personalScore: number | undefined;
}

export interface SearchResult {
  hits: ResultHit[];
  /** A reranker used the user's taste. */
  personalized: boolean;
  /** What the rerankers did (e.g. "not personalized: the user has no history yet"). */
  notes: string[];
  modeUsed: Mode;
  fusionUsed: FusionMethod | undefined;
  degraded: boolean;
  degradedReason: string;
  /**
   * No hit stands out (the best semantic candidate barely leads the next, or
   * nothing passed the cut): likely no answer in the corpus. Hits are still
   * returned; show them as "closest matches", not as the answer.
   */
  lowConfidence: boolean;
  cacheHit: boolean;
  tookMs: number;
  nextPageToken: string;
}

export interface SearchSettings {
  /** RRF_K. */
  rrfK: number;
  /** Candidates each side retrieves for hybrid fusion; such pages end there. */
  candidateDepth: number;
  /** Candidates a reranker (personalization) reorders; such pages end there. */
  rerankDepth: number;
  /** SEARCH_MIN_SCORE: the deployment's semantic floor; unset = by model profile. */
  minScore?: number;
  /** SEARCH_SCORE_MARGIN: the deployment's margin below the best semantic hit; unset = by model profile. */
  scoreMargin?: number;
}

export interface SearchCoreDeps {
  index: SearchIndex;
  embedder: QueryEmbedder;
  cache: QueryVectorCache;
  metrics: SearchMetrics;
  settings: SearchSettings;
  rerankers?: readonly Reranker[];
}

/**
 * Search by meaning, by keyword or both, for one tenant, as a pipeline:
 * parse (once) → retrieve → fuse → relevance cut → rerank → page. Each stage
 * is a function of the previous one's output; only the last one pages.
 */
export class SearchCore {
  constructor(private readonly d: SearchCoreDeps) {}

  async search(input: SearchRequestInput): Promise<SearchResult> {
    const started = performance.now();
    const { metrics, settings } = this.d;
    const rerankers = this.d.rerankers ?? [];
    const query = parseSearchQuery(input);

    const reranked = rerankers.some((r) => r.applies(query));
    const window = retrievalWindow(query, settings, reranked);
    const retrieved = await retrieve(query, window.depth, {
      index: this.d.index,
      embedder: this.d.embedder,
      cache: this.d.cache,
      onEmbed: (outcome) => metrics.embedderCalls.inc({ role: 'query', outcome }),
    });
    if (retrieved.degradedCause) metrics.degraded.inc({ reason: retrieved.degradedCause });
    const { ranked: fused, fusionUsed } = fuse(query, retrieved, settings);
    const policy = relevancePolicyFor(query, retrieved, (model) => relevanceDefaults(model, { minScore: settings.minScore, margin: settings.scoreMargin }));
    const kept = relevanceCut(fused, policy);
    const lowConfidence = isLowConfidence(retrieved.semantic, kept, policy);
    const { ranked, notes } = await rerankAll(query, kept, rerankers, { model: retrieved.model ?? this.d.embedder.currentModel });
    const { hits, nextPageToken } = page(query, ranked, window);

    const tookMs = performance.now() - started;
    metrics.searchSeconds.observe({ mode: retrieved.modeUsed }, tookMs / 1000);
    logger.debug(
      { tenantId: query.tenantId, mode: query.mode, modeUsed: retrieved.modeUsed, depth: window.depth, hits: hits.length, lowConfidence, queryChars: query.text.length, cacheHit: retrieved.cacheHit, ms: Math.round(tookMs) },
      'search',
    );
    return {
      hits: hits.map((h) => ({ ...h.candidate, score: h.score, semanticScore: h.semanticScore ?? 0, keywordScore: h.keywordScore ?? 0, personalScore: h.personalScore })),
      personalized: hits.some((h) => h.personalScore !== undefined),
      notes,
      modeUsed: retrieved.modeUsed,
      fusionUsed,
      degraded: retrieved.degradedReason !== '',
      degradedReason: retrieved.degradedReason,
      lowConfidence,
      cacheHit: retrieved.cacheHit,
      tookMs,
      nextPageToken,
    };
  }
}
