import { invalidArgument } from '../../../../shared/errors.js';
import { compareFused, joinById, toFused, type FusedHit, type RankedHit } from './types.js';

export const DEFAULT_RRF_K = 60;

/**
 * Reciprocal rank fusion: score = Σ 1 / (k + rank) over the lists a document
 * appears in (rank 1-based). Uses ranks only, so the incomparable scales of
 * cosine similarity and ts_rank_cd do not matter; k damps the weight of the
 * top ranks (60 from Cormack et al. 2009).
 */
export function reciprocalRankFusion<T extends RankedHit>(
  semantic: readonly T[],
  keyword: readonly T[],
  options: { k?: number } = {},
): FusedHit<T>[] {
  const k = options.k ?? DEFAULT_RRF_K;
  if (!Number.isFinite(k) || k < 0) throw invalidArgument('rrf k must be a finite number >= 0', 'invalid_rrf_k');
  const fused: FusedHit<T>[] = [];
  for (const [id, entry] of joinById(semantic, keyword)) {
    const score = (entry.semantic ? 1 / (k + entry.semantic.rank) : 0) + (entry.keyword ? 1 / (k + entry.keyword.rank) : 0);
    fused.push(toFused(id, entry, score));
  }
  return fused.sort(compareFused);
}
