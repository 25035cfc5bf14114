import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../shared/paths.js';
import { MEANING_CHECKS } from '../scripts/demo-corpus.js';
import { describeRealModel, REAL_MODEL_DIR } from './support/real-model.js';

/** Runs `npm start` (scripts/demo.ts) as a process on PGlite and returns what it printed. */
async function runDemo(env: NodeJS.ProcessEnv): Promise<string> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, VITEST: '', POLYSEARCH_NO_DOWNLOAD: '1', ...env };
  delete childEnv.DATABASE_URL;
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT_DIR, env: childEnv, timeout: 180_000 });
  return stdout;
}

/** The id of the first hit printed under a result heading ('(no hit)' when it printed none). */
function firstHit(stdout: string, heading: string): string {
  const at = stdout.indexOf(`${heading}\n`);
  if (at < 0) throw new Error(`the demo printed no "${heading}"`);
  const end = stdout.indexOf('\n\n', at);
  const block = stdout.slice(at, end < 0 ? undefined : end);
  return /\n\s+1\. (\S+) ·/.exec(block)?.[1] ?? '(no hit)';
}

function expectEveryMode(stdout: string): void {
  expect(stdout).toMatch(/Upserted 40 documents .* 40 inserted, 0 pending/);
  for (const mode of ['hybrid', 'semantic', 'keyword']) expect(stdout).toContain(`${mode} search for`);
  expect(stdout).toMatch(/DEGRADED: embedder unavailable/);
  expect(stdout).toContain('query vector from cache');
}

describe('npm start (the README demo)', () => {
  it('runs end to end on a fixture model and says plainly that its results mean nothing', async () => {
    const stdout = await runDemo({ MODEL_DIR: process.env.POLYSEARCH_TINY_MODEL_DIR });
    expect(stdout).toContain('(GENERATED FIXTURE, random weights)');
    expect(stdout).toMatch(/Its vectors carry no meaning/);
    expect(stdout).toContain('these results came from a fixture model with random weights; they mean nothing');
    expectEveryMode(stdout);
  }, 200_000);
});

describeRealModel('npm start on the real multilingual-e5-small', () => {
  it('picks the real model by itself and finds what is meant in five languages', async () => {
    const stdout = await runDemo({ MODEL_DIR: undefined, POLYSEARCH_REAL_MODEL_DIR: REAL_MODEL_DIR });
    expect(stdout).toContain(`model:    ${REAL_MODEL_DIR} (the real model beside the checkout)`);
    expect(stdout).not.toContain('FIXTURE');
    expectEveryMode(stdout);
    // "staff for a temporary school" → the supply-teacher page, not the event-staff one, in each language.
    for (const check of MEANING_CHECKS) {
      expect(firstHit(stdout, `  semantic search for "${check.query}" [${check.lang}]`), check.query).toMatch(new RegExp(`^${check.topic}-`));
    }
    expect(firstHit(stdout, '  semantic search for "Rechnung per E-Mail"')).toMatch(/^invoice-/);
    expect(firstHit(stdout, '  semantic search for "horario de atención"')).toMatch(/^hours-/);
    expect(firstHit(stdout, '  hybrid search for "reset password link"')).toMatch(/^password-/);
    expect(firstHit(stdout, '  hybrid search for "protect personal data" while the embedder is down')).toBe('privacy-en');
  }, 200_000);
});
