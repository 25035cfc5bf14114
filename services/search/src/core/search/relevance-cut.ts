import type { RelevanceDefaults } from '../min-score.js';
import type { Candidate } from './ports.js';
import type { SearchQuery } from './query.js';
import type { RankedHit } from './ranked.js';
import type { Retrieved } from './retrieve.js';

export interface RelevancePolicy {
  /** Semantic hits with a cosine below this are dropped; null = no floor (e.g. fixture models). */
  semanticFloor: number | null;
  /** Keyword hits with a rank below this are dropped (only a keyword request's own min_score). */
  keywordFloor: number | null;
  /** Semantic evidence more than this below the list's best cosine does not count; null = no margin. */
  semanticMargin: number | null;
  /** Keyword evidence below this share of the list's best keyword rank does not count; null = none. */
  keywordRatio: number | null;
  /** The answer is low-confidence when the best semantic candidate leads the next by less than this; null = never said. */
  lowConfidenceGap: number | null;
}

/**
 * Stage 3: drop hits whose evidence is too weak. A hit stays when any side
 * vouches for it:
 * - semantic: a cosine at or above the absolute floor and within the margin
 *   of the best cosine in the list (a hit far below the best one is noise
 *   next to it, whatever its absolute score: e5 scores bunch up);
 * - keyword: a match whose rank reaches the keyword floor (if any) and the
 *   given share of the best keyword rank.
 * The best hit of either side always passes its relative rule, so only the
 * absolute floors can empty a list.
 */
export function relevanceCut(ranked: readonly RankedHit[], policy: RelevancePolicy): RankedHit[] {
  const { semanticFloor, keywordFloor, semanticMargin, keywordRatio } = policy;
  const bestSemantic = Math.max(...ranked.map((h) => h.semanticScore ?? -Infinity));
  const bestKeyword = Math.max(...ranked.map((h) => h.keywordScore ?? -Infinity));
  return ranked.filter((h) => {
    const s = h.semanticScore;
    const k = h.keywordScore;
    const semanticOk =
      s !== undefined && (semanticFloor === null || s >= semanticFloor) && (semanticMargin === null || s >= bestSemantic - semanticMargin);
    const keywordOk = k !== undefined && (keywordFloor === null || k >= keywordFloor) && (keywordRatio === null || k >= bestKeyword * keywordRatio);
    return semanticOk || keywordOk;
  });
}

/**
 * Whether the answer is low-confidence: the semantic retriever's best
 * candidate leads the next one by less than the policy's gap (no document
 * stands out, which is how questions without an answer in the corpus look),
 * or the cut left nothing. Judged on the semantic candidate list, before
 * fusion and the cut: the gap belongs to the model's scores.
 */
export function isLowConfidence(semantic: readonly Candidate[] | undefined, kept: readonly RankedHit[], policy: RelevancePolicy): boolean {
  if (policy.lowConfidenceGap === null || !semantic) return false;
  if (kept.length === 0 || semantic.length === 0) return true;
  if (semantic.length === 1) return false;
  return semantic[0].score - semantic[1].score < policy.lowConfidenceGap;
}

/**
 * The policy for one request. Without a min_score: the defaults for the
 * query vector's model (floor, margin, low-confidence gap) and the keyword
 * ratio. With one, the caller takes over: exactly that threshold (a cosine
 * for semantic and hybrid requests, a keyword rank for keyword requests)
 * and no relative rule; the low-confidence verdict is still given. A
 * degraded answer applies no semantic rule, and not the caller's threshold
 * either: it was meant for cosine scores.
 */
export function relevancePolicyFor(query: SearchQuery, retrieved: Retrieved, defaultsFor: (model: Retrieved['model']) => RelevanceDefaults): RelevancePolicy {
  const d = defaultsFor(retrieved.model);
  const own = query.minScore !== undefined;
  const keywordOnly = { semanticFloor: null, semanticMargin: null, lowConfidenceGap: null };
  if (query.mode === 'keyword') return { ...keywordOnly, keywordFloor: query.minScore ?? null, keywordRatio: own ? null : d.keywordRatio };
  if (retrieved.modeUsed === 'keyword') return { ...keywordOnly, keywordFloor: null, keywordRatio: d.keywordRatio };
  return {
    semanticFloor: own ? query.minScore! : d.floor,
    keywordFloor: null,
    semanticMargin: own ? null : d.margin,
    keywordRatio: own ? null : d.keywordRatio,
    lowConfidenceGap: d.lowConfidenceGap,
  };
}
