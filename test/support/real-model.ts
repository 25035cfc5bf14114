import { describe } from 'vitest';
import { REAL_MODEL_PROFILE, realModelDir } from '../../shared/paths.js';

/**
 * Tests that need meaning run on the real multilingual-e5-small when it sits
 * beside the checkout (CI always has it). Without it they are skipped with a
 * message that says how to get them to run.
 */
export const REAL_MODEL_DIR = realModelDir();
export { REAL_MODEL_PROFILE };

export const SKIP_REASON =
  'real model not found: put multilingual-e5-small at ../shared/models/multilingual-e5-small or set POLYSEARCH_REAL_MODEL_DIR';

export const describeRealModel: typeof describe.skip = REAL_MODEL_DIR
  ? describe
  : (((name: string, ...rest: unknown[]) => {
      console.warn(`skipping "${name}": ${SKIP_REASON}`);
      return (describe.skip as (...a: unknown[]) => unknown)(name, ...rest);
    }) as unknown as typeof describe.skip);

/** Env for an embedder process on the real model. */
export function realModelEnv(): Record<string, string> {
  if (!REAL_MODEL_DIR) throw new Error(SKIP_REASON);
  return { MODEL_DIR: REAL_MODEL_DIR, MODEL_PROFILE: REAL_MODEL_PROFILE };
}
