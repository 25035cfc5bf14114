import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateFixtureModel } from '../scripts/model-fixture/generate.js';
import { loadModelDirectory, type ModelDirectory } from '../services/embedder/src/model/model-dir.js';
import { makeProfile, type ModelProfile, type Role } from '../services/embedder/src/model/profile.js';
import { TextTokenizer } from '../services/embedder/src/tokenizer/tokenizer.js';
import { REAL_MODEL_PROFILE, realModelDir, ROOT_DIR } from '../shared/paths.js';

/**
 * The model the embedder benchmarks run on: --model DIR, else the real
 * multilingual-e5-small beside the checkout, else the e5-small-shaped
 * fixture (random weights, the real model's cost; generated once).
 */
export interface BenchModel {
  dir: string;
  real: boolean;
  model: ModelDirectory;
  tokenizer: TextTokenizer;
  profile: ModelProfile;
  /** Env for an embedder process on this model. */
  env: Record<string, string>;
  encode(role: Role, text: string): number[];
}

export async function benchModel(explicit?: string): Promise<BenchModel> {
  const real = explicit ? undefined : realModelDir();
  let dir = explicit ?? real;
  if (!dir) {
    dir = join(ROOT_DIR, '.cache', 'models', 'e5-small');
    if (!existsSync(join(dir, 'polysearch.json'))) await generateFixtureModel({ out: dir, size: 'e5-small' });
  }
  const needsProfile = !existsSync(join(dir, 'polysearch.json'));
  const model = await loadModelDirectory(dir, needsProfile ? { profile: REAL_MODEL_PROFILE } : {});
  const tokenizer = new TextTokenizer(model.tokenizerJson, model.tokenizerConfig, model.maxTokens);
  const profile = makeProfile(model.profile, '');
  return {
    dir,
    real: !model.fixture,
    model,
    tokenizer,
    profile,
    env: { MODEL_DIR: dir, ...(needsProfile ? { MODEL_PROFILE: REAL_MODEL_PROFILE } : {}) },
    encode: (role, text) => tokenizer.encode(profile.format(role, text)).ids,
  };
}

/** Right-padded batches of `size` in the given order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
