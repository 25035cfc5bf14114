import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../shared/paths.js';

/**
 * Real Postgres for the suite: TEST_DATABASE_URL when set (CI), else, with
 * POLYSEARCH_TEST_POSTGRES=container and a Docker engine that answers, a
 * throwaway pgvector container; otherwise the tests run on PGlite.
 */
async function postgres(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL || process.env.POLYSEARCH_TEST_POSTGRES !== 'container') return undefined;
  const { dockerEngineAnswers, startPgvectorContainer } = await import('./support/postgres-container.js');
  if (!(await dockerEngineAnswers())) {
    console.warn('POLYSEARCH_TEST_POSTGRES=container, but no Docker engine answers: running on PGlite');
    return undefined;
  }
  const { url, stop } = await startPgvectorContainer();
  process.env.TEST_DATABASE_URL = url;
  return stop;
}

/**
 * Generates the tiny fixture model once per generator version (it is
 * deterministic; the cache key is a hash of the generator's sources, so a
 * change to the generator never leaves tests on a stale model), and every
 * test loads it through the production loading code.
 */
export default async function setup(): Promise<(() => Promise<void>) | void> {
  const stopPostgres = await postgres();
  const generatorDir = join(ROOT_DIR, 'scripts', 'model-fixture');
  const hash = createHash('sha256');
  for (const name of readdirSync(generatorDir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
    hash.update(name).update(readFileSync(join(generatorDir, name)));
  }
  const version = hash.digest('hex').slice(0, 12);
  const dir = join(ROOT_DIR, '.cache', 'models', `tiny-${version}`);
  process.env.POLYSEARCH_TINY_MODEL_DIR = dir;
  // A second model of another width and prefix profile, for model rotation tests.
  const wide = join(ROOT_DIR, '.cache', 'models', `tiny-96-instruct-${version}`);
  process.env.POLYSEARCH_TINY_WIDE_MODEL_DIR = wide;
  const { generateFixtureModel } = await import('../scripts/model-fixture/generate.js');
  if (!existsSync(join(dir, 'polysearch.json'))) await generateFixtureModel({ out: dir, size: 'tiny' });
  if (!existsSync(join(wide, 'polysearch.json'))) {
    await generateFixtureModel({ out: wide, size: 'tiny', seed: 7, variant: { hidden: 96, profile: 'e5-instruct' } });
  }
  return stopPostgres;
}
