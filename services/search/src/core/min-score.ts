import type { ModelRef } from './search/ports.js';

/**
 * Default semantic relevance floor when a request sets no min_score.
 *
 * e5 models are trained with a low softmax temperature, so their cosine
 * similarities bunch up high (the model card: scores sit around 0.7–1.0).
 * Fixture models (random weights) have no calibration, so nothing is
 * filtered for them. Operators override with SEARCH_MIN_SCORE; callers per
 * request with min_score.
 */
const BY_PROFILE: Record<string, number> = { e5: 0.78, 'e5-instruct': 0.72 };

export function defaultMinScore(model: ModelRef | undefined, configured?: number): number | null {
  if (configured !== undefined) return configured;
  if (!model || model.fixture) return null;
  return BY_PROFILE[model.profile] ?? null;
}
