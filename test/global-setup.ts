import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../shared/paths.js';

/**
 * Generates the tiny fixture model once per generator version (it is
 * deterministic; the cache key is a hash of the generator's sources, so a
 * change to the generator never leaves tests on a stale model), and every
 * test loads it through the production loading code.
 */
export default async function setup(): Promise<void> {
  const generatorDir = join(ROOT_DIR, 'scripts', 'model-fixture');
  const hash = createHash('sha256');
  for (const name of readdirSync(generatorDir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
    hash.update(name).update(readFileSync(join(generatorDir, name)));
  }
  const dir = join(ROOT_DIR, '.cache', 'models', `tiny-${hash.digest('hex').slice(0, 12)}`);
  process.env.POLYSEARCH_TINY_MODEL_DIR = dir;
  if (existsSync(join(dir, 'polysearch.json'))) return;
  const { generateFixtureModel } = await import('../scripts/model-fixture/generate.js');
  await generateFixtureModel({ out: dir, size: 'tiny' });
}
