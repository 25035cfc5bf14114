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
