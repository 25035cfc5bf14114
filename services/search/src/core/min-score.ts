import type { ModelFingerprint } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';

/**
 * Default semantic relevance threshold when a request sets no min_score.
 *
 * e5 models are trained with a low softmax temperature, so their cosine
 * similarities bunch up high: unrelated multilingual-e5 pairs commonly score
 * 0.70–0.78 and relevant ones 0.80–0.90. A threshold of 0.78 drops most
 * unrelated passages while keeping loosely relevant ones; e5-instruct spreads
 * scores a little lower. Fixture models (random weights) have no such
 * calibration, so nothing is filtered for them. Operators tune it with
 * SEARCH_MIN_SCORE; callers per request with min_score.
 */
const BY_PROFILE: Record<string, number> = { e5: 0.78, 'e5-instruct': 0.72 };

export function defaultMinScore(model: ModelFingerprint | undefined, fixture: boolean, configured?: number): number | null {
  if (configured !== undefined) return configured;
  if (!model || fixture) return null;
  return BY_PROFILE[model.profile] ?? null;
}
