import { describe, expect, it } from 'vitest';
import { CONTRACTS } from './checks/contracts.js';
import { checkDockerfile, parseDockerfile } from './checks/dockerfile.js';
import { isPinnedImage, readRepoFile } from './checks/files.js';

const embedder = readRepoFile('deploy/embedder.Dockerfile');
const search = readRepoFile('deploy/search.Dockerfile');
const embedderExpect = { contract: CONTRACTS.embedder, bakesModel: true };
const searchExpect = { contract: CONTRACTS.search, bakesModel: false };

describe('Dockerfiles', () => {
  it('embedder.Dockerfile passes every check', () => {
    expect(checkDockerfile(embedder, embedderExpect)).toEqual([]);
  });

  it('search.Dockerfile passes every check', () => {
    expect(checkDockerfile(search, searchExpect)).toEqual([]);
  });

  it('builds the embedder from a slim Node 20 image and bakes the default model', () => {
    const df = parseDockerfile(embedder);
    expect(df.stages.at(-1)?.from).toMatch(/^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    expect(embedder).toMatch(/ARG MODEL=multilingual-e5-small/);
  });
});

describe('the Dockerfile checker catches', () => {
  const cases: [string, (text: string) => string, RegExp][] = [
    ['a floating base image', (t) => t.replace('ARG NODE_IMAGE=node:20.20.2-bookworm-slim', 'ARG NODE_IMAGE=node:20-bookworm-slim'), /not pinned/],
    ['latest', (t) => t.replace('ARG NODE_IMAGE=node:20.20.2-bookworm-slim', 'ARG NODE_IMAGE=node:latest'), /not pinned/],
    ['a root user', (t) => t.replace('USER 10001:10001', 'USER root'), /non-root USER/],
    ['no USER at all', (t) => t.replace('USER 10001:10001', ''), /non-root USER/],
    ['npm ci without the CUDA skip', (t) => t.replaceAll('ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip', ''), /ONNXRUNTIME_NODE_INSTALL_CUDA=skip/],
    ['dev dependencies in the runtime', (t) => t.replace('npm ci --omit=dev', 'npm ci'), /--omit=dev/],
    ['a baked secret', (t) => t.replace('ENV NODE_ENV=production', 'ENV NPM_TOKEN=abc123 NODE_ENV=production'), /secret/],
    ['a secret ARG default', (t) => t.replace('ARG MODEL=multilingual-e5-small', 'ARG DB_PASSWORD=hunter2\nARG MODEL=multilingual-e5-small'), /secret/],
    ['a copied .env', (t) => t.replace('COPY package.json ./\n# Reflection', 'COPY .env ./\nCOPY package.json ./\n# Reflection'), /secret-looking/],
    ['a copied key', (t) => t.replace('COPY proto ./proto', 'COPY proto ./proto\nCOPY deploy/tls/server.key /etc/'), /secret-looking/],
    ['a wrong EXPOSE', (t) => t.replace('EXPOSE 50051 8081', 'EXPOSE 50051 8080'), /EXPOSE lacks the http port 8081/],
    ['a healthcheck with curl', (t) => t.replace(/CMD \["node".*\]/, 'CMD curl -f http://127.0.0.1:8081/readyz'), /curl/],
    ['a healthcheck on the wrong path', (t) => t.replaceAll('/readyz', '/healthz'), /\/readyz/],
    ['fixtures allowed', (t) => t.replace('EMBEDDER_ALLOW_FIXTURE=false', 'EMBEDDER_ALLOW_FIXTURE=true'), /ALLOW_FIXTURE=false/],
    ['an env name the service ignores', (t) => t.replace('MODEL_DIR=/models', 'MODEL_PATH=/models'), /MODEL_PATH is not a embedder setting/],
    ['MODEL_DIR missing', (t) => t.replace(/ {4}MODEL_DIR=\S+ \\\n/, ''), /must set MODEL_DIR/],
    ['no proto/ in the runtime', (t) => t.replace('COPY proto ./proto', ''), /proto/],
    ['a default model with unpinned files', (t) => t.replaceAll('ARG MODEL=multilingual-e5-small', 'ARG MODEL=multilingual-e5-large'), /without a pinned sha256/],
    ['trust on first use in the build', (t) => t.replace('--out "/models/${MODEL}"', '--out "/models/${MODEL}" --trust-on-first-use'), /first use/],
    ['a model not downloaded through the pinned script', (t) => t.replace('scripts/download-model.ts --model', 'scripts/other.ts --model'), /download-model/],
  ];
  it.each(cases)('%s', (_name, mutate, problem) => {
    const mutated = mutate(embedder);
    expect(mutated, 'the mutation must change the file').not.toBe(embedder);
    expect(checkDockerfile(mutated, embedderExpect).join('\n')).toMatch(problem);
  });

  it('the search port mismatch', () => {
    const mutated = search.replace('EXPOSE 50052 8082', 'EXPOSE 50051 8082');
    expect(checkDockerfile(mutated, searchExpect).join('\n')).toMatch(/grpc port 50052/);
  });
});

describe('image pinning rule', () => {
  it.each([
    ['node:20.20.2-bookworm-slim', true],
    [`node:20-bookworm-slim@sha256:${'a'.repeat(64)}`, true],
    ['pgvector/pgvector:0.8.0-pg16', true],
    ['registry.local:5000/polysearch/search:1.2.3', true],
    ['node:20-bookworm-slim', false],
    ['node:20', false],
    ['node:latest', false],
    ['node', false],
    ['registry.local:5000/node', false],
  ])('%s pinned: %s', (ref, pinned) => {
    expect(isPinnedImage(ref)).toBe(pinned);
  });
});

describe('.dockerignore', () => {
  const rules = readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const included = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1));

  it('is an allow-list that also drops secrets and tests', () => {
    expect(rules[0]).toBe('*');
    for (const pattern of ['**/*.pem', '**/*.key', '**/.env*', '**/*.test.ts']) expect(rules).toContain(pattern);
  });

  it('lets in everything the Dockerfiles copy from the context', () => {
    for (const text of [embedder, search]) {
      for (const stage of parseDockerfile(text).stages) {
        for (const ins of stage.instructions.filter((i) => i.cmd === 'COPY' && !i.args.includes('--from='))) {
          const sources = ins.args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1);
          for (const source of sources) {
            const clean = source.replace(/^\.\//, '').replace(/\/$/, '');
            expect(included.some((inc) => clean === inc || clean.startsWith(`${inc}/`)), `${clean} (line ${ins.line})`).toBe(true);
          }
        }
      }
    }
  });
});
