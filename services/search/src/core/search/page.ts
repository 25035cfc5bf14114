import { encodePageToken } from '../page-token.js';
import { SEARCH_LIMITS } from './limits.js';
import type { SearchQuery } from './query.js';
import type { RankedHit } from './ranked.js';

/**
 * How deep each retriever looks, and where pages end.
 *
 * A single side's order does not depend on how deep it is read, so it is
 * read one past the page (to know whether another follows) and pages run to
 * maxDepth. A fused or reranked order does depend on it (a document deep in
 * one list can be lifted by the other), so both sides are read to a fixed
 * window and pages end there: every page is then a slice of the same
 * ranking, never a re-ranking that repeats or skips hits (as Elasticsearch's
 * RRF does with rank_window_size).
 */
export interface Window {
  depth: number;
  /** Hits reachable by paging. */
  end: number;
}

export function retrievalWindow(query: SearchQuery, depths: { candidateDepth: number; rerankDepth: number }, reranked: boolean): Window {
  if (reranked || query.mode === 'hybrid') {
    const wanted = Math.max(query.mode === 'hybrid' ? depths.candidateDepth : 0, reranked ? depths.rerankDepth : 0, query.limit);
    const depth = Math.min(wanted, SEARCH_LIMITS.maxDepth);
    return { depth, end: depth };
  }
  return { depth: Math.min(query.offset + query.limit + 1, SEARCH_LIMITS.maxDepth + 1), end: SEARCH_LIMITS.maxDepth };
}

/**
 * Stage 5, the only place paging happens: the page is a slice of the final
 * ranked list; the next token carries the next offset, bound to this request.
 */
export function page(query: SearchQuery, ranked: readonly RankedHit[], window: Window): { hits: RankedHit[]; nextPageToken: string } {
  const end = query.offset + query.limit;
  const hits = ranked.slice(query.offset, Math.min(end, window.end));
  const more = ranked.length > end && end < window.end && hits.length > 0;
  return { hits, nextPageToken: more ? encodePageToken(end, query.digest) : '' };
}
