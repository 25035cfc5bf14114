import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../shared/paths.js';

describe('npm start (the README demo)', () => {
  it('runs end to end: every mode, then degraded keyword answers while the embedder is down', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, VITEST: '', MODEL_DIR: process.env.POLYSEARCH_TINY_MODEL_DIR };
    delete env.DATABASE_URL;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT_DIR, env, timeout: 180_000 });
    expect(stdout).toMatch(/Upserted 30 documents .* 30 inserted, 0 pending/);
    for (const mode of ['hybrid', 'semantic', 'keyword']) expect(stdout).toContain(`${mode} search for`);
    expect(stdout).toMatch(/DEGRADED: embedder unavailable/);
    expect(stdout).toContain('query vector from cache');
  }, 200_000);
});
