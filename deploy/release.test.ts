import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadYaml } from './checks/files.js';

// Stand-ins for docker and crane: they log their arguments and answer like a
// registry would, so the script's flow and its digest comparison run for real.
const FAKE_DOCKER = `#!/usr/bin/env bash
echo "docker $*" >> "$FAKE_LOG"
if [[ "$1 $2" == "buildx build" ]]; then
  while [[ $# -gt 0 ]]; do [[ "$1" == --metadata-file ]] && meta="$2"; shift; done
  printf '{"containerimage.digest":"%s"}' "$FAKE_DIGEST" > "$meta"
elif [[ "$1 $2 $3" == "buildx imagetools inspect" ]]; then
  if [[ "$4" == "$REGISTRY_SECONDARY"* && -n "\${FAKE_SECONDARY_DIGEST:-}" ]]; then echo "$FAKE_SECONDARY_DIGEST"; else echo "$FAKE_DIGEST"; fi
fi
`;
const FAKE_CRANE = `#!/usr/bin/env bash
echo "crane $*" >> "$FAKE_LOG"
`;

const bin = mkdtempSync(join(tmpdir(), 'polysearch-release-'));
for (const [name, body] of [['docker', FAKE_DOCKER], ['crane', FAKE_CRANE]]) {
  writeFileSync(join(bin, name), body);
  chmodSync(join(bin, name), 0o755);
}
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const DIGEST = `sha256:${'1'.repeat(64)}`;

function release(env: Record<string, string>) {
  const log = join(bin, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, '');
  const result = spawnSync('bash', [join(REPO_ROOT, 'scripts/release-images.sh')], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_LOG: log,
      FAKE_DIGEST: DIGEST,
      REGISTRY_PRIMARY: 'a.example/ps',
      REGISTRY_SECONDARY: 'b.example/ps',
      VERSION: '1.2.3',
      ...env,
    },
  });
  return { ...result, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

describe('scripts/release-images.sh', () => {
  it('builds each image once for both platforms, pushes to A and copies the same digest to B', () => {
    const r = release({});
    expect(r.status, r.stderr).toBe(0);
    const builds = r.calls.filter((c) => c.startsWith('docker buildx build'));
    expect(builds).toHaveLength(2);
    for (const b of builds) {
      expect(b).toContain('--platform linux/amd64,linux/arm64');
      expect(b).toContain('--push');
      expect(b).toMatch(/--tag a\.example\/ps\//);
    }
    expect(builds[0]).toContain('--build-arg MODEL=multilingual-e5-small');
    expect(r.calls).toContain(`crane copy a.example/ps/polysearch-embedder@${DIGEST} b.example/ps/polysearch-embedder:1.2.3`);
    expect(r.calls).toContain(`crane copy a.example/ps/polysearch-search@${DIGEST} b.example/ps/polysearch-search:1.2.3`);
    expect(r.stdout).toContain(`polysearch-embedder:1.2.3 ${DIGEST}`);
    expect(r.stdout).toContain(`polysearch-search:1.2.3 ${DIGEST}`);
  });

  it('fails when the secondary registry reports another digest', () => {
    const r = release({ FAKE_SECONDARY_DIGEST: `sha256:${'2'.repeat(64)}` });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/digest mismatch/);
  });

  it('fails when the build reports no digest', () => {
    const r = release({ FAKE_DIGEST: 'oops' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no image digest/);
  });

  it('refuses to run without both registries', () => {
    const r = release({ REGISTRY_SECONDARY: '' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/REGISTRY_SECONDARY/);
    expect(r.calls).toEqual([]);
  });

  it('tags a non-default model so it cannot overwrite the default image', () => {
    const r = release({ MODEL: 'multilingual-e5-base' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`polysearch-embedder:1.2.3-e5-base ${DIGEST}`);
  });
});

describe('.github/workflows/release.yml', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const workflow = loadYaml(join(REPO_ROOT, '.github/workflows/release.yml'))[0] as Record<string, any>;
  const job = workflow.jobs.images;

  it('skips the CUDA download for every npm install, runs the checks, then the release script', () => {
    expect(job.env.ONNXRUNTIME_NODE_INSTALL_CUDA).toBe('skip');
    const runs: string[] = job.steps.map((s: { run?: string }) => s.run ?? '');
    const checks = runs.findIndex((r) => r.includes('vitest run deploy'));
    const script = runs.findIndex((r) => r.includes('scripts/release-images.sh'));
    expect(checks).toBeGreaterThan(-1);
    expect(script).toBeGreaterThan(checks);
  });

  it('takes both registries from inputs or repository variables', () => {
    expect(job.env.REGISTRY_PRIMARY).toMatch(/inputs\.registry_primary/);
    expect(job.env.REGISTRY_SECONDARY).toMatch(/inputs\.registry_secondary/);
    const uses: string[] = job.steps.map((s: { uses?: string }) => s.uses ?? '');
    expect(uses.some((u) => u.startsWith('docker/setup-buildx-action@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('docker/setup-qemu-action@'))).toBe(true);
  });
});
