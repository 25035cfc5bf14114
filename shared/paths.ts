import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or image) root: the nearest folder above this file with a package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the polysearch root (package.json beside proto/)');
    dir = parent;
  }
}

export const ROOT_DIR = findRoot();
export const PROTO_DIR = join(ROOT_DIR, 'proto');

/**
 * The real multilingual-e5-small weights kept beside the checkout
 * (`../shared/models/multilingual-e5-small`; CI has them, a fresh clone may
 * not). POLYSEARCH_REAL_MODEL_DIR overrides the location. Undefined when the
 * directory is absent: callers that need meaning skip and say why.
 */
export function realModelDir(): string | undefined {
  const dir = process.env.POLYSEARCH_REAL_MODEL_DIR ?? join(ROOT_DIR, '..', 'shared', 'models', 'multilingual-e5-small');
  return existsSync(join(dir, 'tokenizer.json')) && existsSync(join(dir, 'onnx')) ? dir : undefined;
}

/** The real model's directory has no polysearch.json: its prefix scheme is e5 (PROVENANCE.md). */
export const REAL_MODEL_PROFILE = 'e5';
