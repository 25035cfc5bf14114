// Fails when shared/generated differs from what `npm run generate` writes
// from proto/: generated code is never edited by hand, only regenerated.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT_DIR } from '../shared/paths.js';
import { generate } from './protoc.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const scratch = mkdtempSync(join(tmpdir(), 'polysearch-gen-'));
try {
  generate(scratch);
  const fresh = scratch;
  const committed = join(ROOT_DIR, 'shared', 'generated');
  const a = listFiles(fresh);
  const b = listFiles(committed);
  const problems: string[] = [];
  for (const f of a) if (!b.includes(f)) problems.push(`missing: shared/generated/${f}`);
  for (const f of b) if (!a.includes(f)) problems.push(`not generated from proto/: shared/generated/${f}`);
  for (const f of a.filter((x) => b.includes(x))) {
    if (!readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f)))) problems.push(`stale: shared/generated/${f}`);
  }
  if (problems.length > 0) {
    console.error(`generated code is out of date; run \`npm run generate\` and commit:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`shared/generated is current (${a.length} files)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
