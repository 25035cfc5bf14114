import type { ModelRef } from './search/ports.js';

/**
 * Default relevance rules per model profile, for requests that set no
 * min_score (README, "Relevance threshold", has the figures behind them;
 * `npm run bench:relevance` prints them).
 *
 * e5 models are trained with a low softmax temperature, so their cosine
 * similarities bunch up high: on the relevance suite (multilingual-e5-small,
 * 352 queries in 8 languages) the best relevant passage of a query scores
 * 0.77–0.95 (1st percentile 0.783), the top hit of a question the corpus
 * cannot answer 0.79–0.92 (median 0.848, the same as the best wrong hit of
 * answerable ones), and the best non-relevant hit beats the best relevant one
 * for 21% of queries. No absolute threshold separates answers from the rest,
 * so:
 *
 * - `floor` (absolute) only drops what is unrelated to everything: 0.78 keeps
 *   99% of relevant passages' scores and empties no question that has an
 *   answer (the lowest top hit of one scored 0.794);
 * - `margin` (relative): semantic evidence more than this below the best
 *   hit's cosine does not count. Relevant hits in the top 10 lie within 0.041
 *   of the best one for 99% (max 0.065); at 0.05 nDCG@10 stays 0.856, Recall@10
 *   goes 0.929 → 0.928, and a page shows 6.1 hits instead of 10;
 * - `lowConfidenceGap`: the response says low_confidence when the best semantic
 *   candidate leads the next by less than this. At 0.003 it flags 29% of
 *   unanswerable questions and 34% of answered ones whose first hit is wrong,
 *   against 5% of those whose first hit is right; precision of confident first
 *   hits goes 68% → 75%.
 *
 * e5-instruct keeps its floor (0.72, from the model card's range) and has no
 * margin or gap yet: nobody has measured its distributions on the suite.
 * Fixture models (random weights) have no calibration: no semantic rule.
 * Operators override the floor with SEARCH_MIN_SCORE and the margin with
 * SEARCH_SCORE_MARGIN; a request with its own min_score gets exactly that
 * threshold and no relative rule.
 */
export interface RelevanceDefaults {
  /** Absolute cosine floor; null = none. */
  floor: number | null;
  /** Cosine margin below the best semantic hit; null = none. */
  margin: number | null;
  /** Top-1 minus top-2 cosine below which an answer is low-confidence; null = never. */
  lowConfidenceGap: number | null;
  /** Keyword evidence below this share of the best keyword rank does not count. */
  keywordRatio: number;
}

type SemanticRules = Pick<RelevanceDefaults, 'floor' | 'margin' | 'lowConfidenceGap'>;

const BY_PROFILE: Record<string, SemanticRules> = {
  e5: { floor: 0.78, margin: 0.05, lowConfidenceGap: 0.003 },
  'e5-instruct': { floor: 0.72, margin: null, lowConfidenceGap: null },
};

const NONE: SemanticRules = { floor: null, margin: null, lowConfidenceGap: null };

/**
 * Keyword ranks are the store's own BM25 share of the query (0..1), the same
 * whatever the model. At a quarter of the best keyword rank, a keyword list
 * keeps 5.6 hits instead of 7.5 for nDCG@10 0.621 → 0.620 (at half, 0.614,
 * which put French and Italian below the BM25 baseline).
 */
export const KEYWORD_RELATIVE_FLOOR = 0.25;

export function relevanceDefaults(model: ModelRef | undefined, configured: { minScore?: number; margin?: number } = {}): RelevanceDefaults {
  const byModel = !model || model.fixture ? NONE : (BY_PROFILE[model.profile] ?? NONE);
  return {
    floor: configured.minScore ?? byModel.floor,
    margin: configured.margin ?? byModel.margin,
    lowConfidenceGap: byModel.lowConfidenceGap,
    keywordRatio: KEYWORD_RELATIVE_FLOOR,
  };
}

/** The default absolute floor alone (what min_score replaces). */
export function defaultMinScore(model: ModelRef | undefined, configured?: number): number | null {
  return relevanceDefaults(model, { minScore: configured }).floor;
}
