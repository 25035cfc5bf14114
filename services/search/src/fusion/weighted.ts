import { invalidArgument } from '../../../../shared/errors.js';
import { compareFused, joinById, toFused, type FusedHit, type RankedHit } from './types.js';

export const DEFAULT_SEMANTIC_WEIGHT = 0.5;

/**
 * Min-max normalizes each list's scores to 0..1 (a list whose scores are all
 * equal, e.g. a single hit, normalizes to 1), then
 * score = w · semantic + (1 - w) · keyword, with 0 for the side a document
 * is missing from. Unlike RRF it keeps score gaps, at the price of depending
 * on each list's score spread.
 */
export function weightedFusion<T extends RankedHit>(
  semantic: readonly T[],
  keyword: readonly T[],
  options: { semanticWeight?: number } = {},
): FusedHit<T>[] {
  const w = options.semanticWeight ?? DEFAULT_SEMANTIC_WEIGHT;
  if (!Number.isFinite(w) || w < 0 || w > 1) throw invalidArgument('semantic_weight must be in 0..1', 'invalid_semantic_weight');
  const normSemantic = minMax(semantic);
  const normKeyword = minMax(keyword);
  const fused: FusedHit<T>[] = [];
  for (const [id, entry] of joinById(semantic, keyword)) {
    const s = entry.semantic ? normSemantic(entry.semantic.hit.score) : 0;
    const k = entry.keyword ? normKeyword(entry.keyword.hit.score) : 0;
    fused.push(toFused(id, entry, w * s + (1 - w) * k));
  }
  return fused.sort(compareFused);
}

function minMax(list: readonly RankedHit[]): (score: number) => number {
  if (list.length === 0) return () => 0;
  let min = Infinity;
  let max = -Infinity;
  for (const h of list) {
    if (h.score < min) min = h.score;
    if (h.score > max) max = h.score;
  }
  const span = max - min;
  return span > 0 && Number.isFinite(span) ? (score) => (score - min) / span : () => 1;
}
