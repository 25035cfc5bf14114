import type { SearchQuery } from './query.js';
import type { RankedHit } from './ranked.js';
import type { Retrieved } from './retrieve.js';

export interface RelevancePolicy {
  /** Semantic hits with a cosine below this are dropped; null = no floor (e.g. fixture models). */
  semanticFloor: number | null;
  /** Keyword hits with a rank below this are dropped (only a keyword request's own min_score). */
  keywordFloor: number | null;
}

/**
 * Stage 3: drop hits whose evidence is too weak. A hit stays when any side
 * vouches for it: a semantic score at or above the floor, or a keyword match
 * (keyword ranks have no calibrated floor unless the caller asked for one).
 */
export function relevanceCut(ranked: readonly RankedHit[], policy: RelevancePolicy): RankedHit[] {
  const { semanticFloor, keywordFloor } = policy;
  return ranked.filter((h) => {
    const semanticOk = h.semanticScore !== undefined && (semanticFloor === null || h.semanticScore >= semanticFloor);
    const keywordOk = h.keywordScore !== undefined && (keywordFloor === null || h.keywordScore >= keywordFloor);
    return semanticOk || keywordOk;
  });
}

/**
 * The policy for one request: the caller's min_score if set (a cosine for
 * semantic and hybrid requests, a keyword rank for keyword requests), else
 * the default floor for the query vector's model. A degraded answer applies
 * no floor: the caller's threshold was meant for cosine scores.
 */
export function relevancePolicyFor(query: SearchQuery, retrieved: Retrieved, defaultSemanticFloor: (model: Retrieved['model']) => number | null): RelevancePolicy {
  if (query.mode === 'keyword') return { semanticFloor: null, keywordFloor: query.minScore ?? null };
  if (retrieved.modeUsed === 'keyword') return { semanticFloor: null, keywordFloor: null };
  return { semanticFloor: query.minScore ?? defaultSemanticFloor(retrieved.model), keywordFloor: null };
}
