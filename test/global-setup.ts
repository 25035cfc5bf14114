import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../shared/paths.js';

/**
 * Generates the tiny fixture model once per checkout (it is deterministic),
 * so every test loads a model directory through the production loading code.
 */
export default async function setup(): Promise<void> {
  const dir = join(ROOT_DIR, '.cache', 'models', 'tiny');
  process.env.POLYSEARCH_TINY_MODEL_DIR = dir;
  if (existsSync(join(dir, 'polysearch.json'))) return;
  const { generateFixtureModel } = await import('../scripts/model-fixture/generate.js');
  await generateFixtureModel({ out: dir, size: 'tiny' });
}
