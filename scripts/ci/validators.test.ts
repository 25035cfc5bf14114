import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../shared/paths.js';
import { promtoolCheck } from './check-metrics.js';

/**
 * Each CI validator step must fail on a broken input, not just pass on ours:
 * the same scripts .ci/run calls, on our files and on deliberately broken
 * copies. Skipped where the tools are not installed (bash
 * scripts/ci/install-validators.sh); CI sets POLYSEARCH_REQUIRE_VALIDATORS=1,
 * so there a missing tool fails instead of skipping.
 */
const required = process.env.POLYSEARCH_REQUIRE_VALIDATORS === '1';
const tools = join(ROOT_DIR, '.cache', 'validators');
const has = {
  promtool: existsSync(process.env.PROMTOOL ?? join(tools, 'bin', 'promtool')),
  kubernetesValidate: existsSync(process.env.KUBERNETES_VALIDATE ?? join(tools, 'venv', 'bin', 'kubernetes-validate')) && kubectlAvailable(),
  hadolint: existsSync(process.env.HADOLINT ?? join(tools, 'venv', 'bin', 'hadolint')),
};

function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

const scratch = mkdtempSync(join(tmpdir(), 'polysearch-validators-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(script: string, ...args: string[]): { code: number | null; output: string } {
  const res = spawnSync('bash', [join(ROOT_DIR, 'scripts', 'ci', script), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, output: `${res.stdout}${res.stderr}` };
}

/** A copy of deploy/k8s with one file's text changed. */
function brokenK8s(file: string, from: string | RegExp, to: string): string {
  const dir = mkdtempSync(join(scratch, 'k8s-'));
  cpSync(join(ROOT_DIR, 'deploy', 'k8s'), dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  expect(after, `the mutation must change ${file}`).not.toBe(before);
  writeFileSync(path, after);
  return dir;
}

function brokenDockerfile(name: string, from: string | RegExp, to: string): string {
  const before = readFileSync(join(ROOT_DIR, 'deploy', name), 'utf8');
  const after = before.replace(from, to);
  expect(after, `the mutation must change ${name}`).not.toBe(before);
  const path = join(scratch, name);
  writeFileSync(path, after);
  return path;
}

describe.skipIf(!has.kubernetesValidate && !required)('check-k8s.sh (kubectl kustomize | kubernetes-validate --strict)', () => {
  it('passes the manifests as kustomize builds them, with and without the mTLS component', () => {
    const { code, output } = run('check-k8s.sh');
    expect(output).toMatch(/base: \d+ resources/);
    expect(output).toMatch(/base\+mtls: \d+ resources/);
    expect(code, output).toBe(0);
  });

  it('fails on a misspelt field the API server would silently drop', () => {
    const { code, output } = run('check-k8s.sh', brokenK8s('search-deployment.yaml', /^ {2}replicas:/m, '  replica:'));
    expect(code).not.toBe(0);
    expect(output).toMatch(/deployment\/search.*'replica' was unexpected/);
  });

  it('fails on a wrong type inside the mTLS component (only the build that includes it)', () => {
    const { code, output } = run('check-k8s.sh', brokenK8s('components/mtls/embedder-tls.yaml', 'readOnly: true', 'readOnly: "yes"'));
    expect(code).not.toBe(0);
    expect(output).toMatch(/base\+mtls\.yaml did not validate for resource deployment\/embedder/);
    expect(output).not.toMatch(/base\.yaml did not validate/);
  });

  it('fails when kustomize cannot build the directory', () => {
    const { code } = run('check-k8s.sh', brokenK8s('kustomization.yaml', '  - search-service.yaml', '  - no-such-file.yaml'));
    expect(code).not.toBe(0);
  });
});

describe.skipIf(!has.hadolint && !required)('check-dockerfiles.sh (hadolint with .hadolint.yaml)', () => {
  it('passes both Dockerfiles', () => {
    const { code, output } = run('check-dockerfiles.sh');
    expect(code, output).toBe(0);
  });

  it('fails on an unpinned apt-get install in the runtime stage', () => {
    const path = brokenDockerfile('search.Dockerfile', 'WORKDIR /app\nCOPY package.json ./\n', 'WORKDIR /app\nRUN apt-get update && apt-get install -y curl\nCOPY package.json ./\n');
    const { code, output } = run('check-dockerfiles.sh', path);
    expect(code).not.toBe(0);
    expect(output).toMatch(/DL3008/);
  });

  it('fails on a base image from outside docker.io (trustedRegistries)', () => {
    const path = brokenDockerfile('embedder.Dockerfile', 'FROM ${NODE_IMAGE} AS runtime', 'FROM quay.io/someone/node:20 AS runtime');
    const { code, output } = run('check-dockerfiles.sh', path);
    expect(code).not.toBe(0);
    expect(output).toMatch(/DL3026/);
  });

  it('sees through FROM ${NODE_IMAGE}: an unpinned or foreign ARG default fails too', () => {
    for (const [image, rule] of [['node:latest', 'DL3007'], ['quay.io/someone/node:20', 'DL3026']]) {
      const path = brokenDockerfile('search.Dockerfile', /^ARG NODE_IMAGE=.*$/m, `ARG NODE_IMAGE=${image}`);
      const { code, output } = run('check-dockerfiles.sh', path);
      expect(code, image).not.toBe(0);
      expect(output).toMatch(new RegExp(`FROM with ARG defaults\\):\\d+ ${rule}`));
    }
  });
});

describe.skipIf(!has.promtool && !required)('promtool check metrics (check-metrics.ts)', () => {
  const good = [
    '# HELP search_requests_total Search calls',
    '# TYPE search_requests_total counter',
    'search_requests_total{mode="hybrid"} 3',
    '# HELP search_queue_depth Waiting requests',
    '# TYPE search_queue_depth gauge',
    'search_queue_depth 0',
    '',
  ].join('\n');

  it('accepts a well-formed exposition', () => {
    expect(promtoolCheck(good)).toMatchObject({ ok: true });
  });

  it('rejects a gauge named like a counter (what prom-client defaults did before)', () => {
    const res = promtoolCheck(good.replaceAll('search_queue_depth', 'search_process_nodejs_active_handles_total'));
    expect(res.ok).toBe(false);
    expect(res.output).toMatch(/non-counter metrics should not have "_total" suffix/);
  });

  it('rejects a counter without _total and a metric without HELP', () => {
    const res = promtoolCheck(good.replaceAll('search_requests_total', 'search_requests').replace('# HELP search_queue_depth Waiting requests\n', ''));
    expect(res.ok).toBe(false);
    expect(res.output).toMatch(/counter metrics should have "_total" suffix/);
    expect(res.output).toMatch(/no help text/);
  });

  it('rejects a malformed sample line', () => {
    expect(promtoolCheck(`${good}search_queue_depth{mode=hybrid} 1\n`).ok).toBe(false);
  });

  it('the script exits non-zero on a broken file and names it', () => {
    const file = join(scratch, 'broken.prom');
    writeFileSync(file, good.replaceAll('search_queue_depth', 'search_queue_depth_total'));
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'scripts', 'ci', 'check-metrics.ts'), file], { cwd: ROOT_DIR, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(`FAIL ${file}`);
  });
});
