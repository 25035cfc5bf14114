/**
 * What the relevance benchmark tries beside the service's defaults, in this
 * process, over the lists the service itself returned without any relevance
 * rule (semantic with min_score −1 and keyword with min_score 0, 50 deep:
 * the same inputs hybrid fuses at SEARCH_CANDIDATE_DEPTH 50). Fusion uses the
 * service's own fusion functions, so a row here is what the service would
 * answer with that setting (before its relevance cut).
 */
import { reciprocalRankFusion, weightedFusion } from '../../services/search/src/fusion/index.js';

export interface Scored {
  id: string;
  score: number;
}

export interface FusionAlternative {
  /** Column name. */
  name: string;
  method: 'rrf' | 'weighted';
  /** RRF k (rrf) or semantic weight (weighted). */
  param: number;
  /** Candidates taken from each list. */
  depth: number;
}

export const FUSION_ALTERNATIVES: readonly FusionAlternative[] = [
  { name: 'rrf60', method: 'rrf', param: 60, depth: 50 },
  { name: 'rrf10', method: 'rrf', param: 10, depth: 50 },
  { name: 'rrf1@10', method: 'rrf', param: 1, depth: 10 },
  { name: 'w.5', method: 'weighted', param: 0.5, depth: 50 },
  { name: 'w.7', method: 'weighted', param: 0.7, depth: 50 },
  { name: 'w.8', method: 'weighted', param: 0.8, depth: 50 },
  { name: 'w.9', method: 'weighted', param: 0.9, depth: 50 },
  { name: 'w.95', method: 'weighted', param: 0.95, depth: 50 },
  { name: 'w.9@20', method: 'weighted', param: 0.9, depth: 20 },
];

/** The fused order of two lists under one alternative, cut to `limit`. */
export function fuseLists(semantic: readonly Scored[], keyword: readonly Scored[], alt: FusionAlternative, limit: number): string[] {
  const s = semantic.slice(0, alt.depth);
  const k = keyword.slice(0, alt.depth);
  const fused = alt.method === 'rrf' ? reciprocalRankFusion(s, k, { k: alt.param }) : weightedFusion(s, k, { semanticWeight: alt.param });
  return fused.slice(0, limit).map((f) => f.id);
}

/** A semantic list after an absolute floor and a margin below its best score (null: no such rule). */
export function cutSemantic(list: readonly Scored[], floor: number | null, margin: number | null): Scored[] {
  const best = list[0]?.score ?? 0;
  return list.filter((h) => (floor === null || h.score >= floor) && (margin === null || h.score >= best - margin));
}

/** The low-confidence verdict for a semantic list: the best leads the next by less than `gap`, or nothing is left. */
export function lowConfidence(list: readonly Scored[], gap: number | null, kept = list.length): boolean {
  if (gap === null) return false;
  if (kept === 0 || list.length === 0) return true;
  return list.length > 1 && list[0].score - list[1].score < gap;
}
