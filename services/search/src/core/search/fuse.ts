import { reciprocalRankFusion, weightedFusion } from '../../fusion/index.js';
import { SEARCH_LIMITS } from './limits.js';
import type { Candidate } from './ports.js';
import type { FusionMethod, SearchQuery } from './query.js';
import type { RankedHit } from './ranked.js';
import type { Retrieved } from './retrieve.js';

export interface FusionSettings {
  /** Reciprocal rank fusion constant (RRF_K). */
  rrfK: number;
}

/**
 * Stage 2: one ranked list. A single side keeps its own order and score;
 * both sides are fused by the request's method (by default weighted, at
 * SEARCH_LIMITS.defaultSemanticWeight).
 */
export function fuse(query: SearchQuery, retrieved: Retrieved, settings: FusionSettings): { ranked: RankedHit[]; fusionUsed: FusionMethod | undefined } {
  const { semantic, keyword } = retrieved;
  if (semantic && keyword) {
    const fused =
      query.fusion.method === 'weighted'
        ? weightedFusion<Candidate>(semantic, keyword, { semanticWeight: query.fusion.semanticWeight ?? SEARCH_LIMITS.defaultSemanticWeight })
        : reciprocalRankFusion<Candidate>(semantic, keyword, { k: settings.rrfK });
    return {
      fusionUsed: query.fusion.method,
      ranked: fused.map((f) => ({
        candidate: f.hit,
        score: f.score,
        semanticScore: f.semanticRank === null ? undefined : f.semanticScore,
        keywordScore: f.keywordRank === null ? undefined : f.keywordScore,
      })),
    };
  }
  if (semantic) return { fusionUsed: undefined, ranked: semantic.map((c) => ({ candidate: c, score: c.score, semanticScore: c.score, keywordScore: undefined })) };
  return { fusionUsed: undefined, ranked: (keyword ?? []).map((c) => ({ candidate: c, score: c.score, semanticScore: undefined, keywordScore: c.score })) };
}
