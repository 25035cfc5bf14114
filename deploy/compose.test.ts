import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCompose } from './checks/compose.js';
import { REPO_ROOT, loadYaml } from './checks/files.js';

const [compose] = loadYaml(join(REPO_ROOT, 'docker-compose.yml'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Compose = Record<string, any>;
const mutated = (change: (c: Compose) => void): Compose => {
  const copy = structuredClone(compose) as Compose;
  change(copy);
  return copy;
};

describe('docker-compose.yml', () => {
  it('passes every check', () => {
    expect(checkCompose(compose)).toEqual([]);
  });
});

describe('the compose checker catches', () => {
  const cases: [string, (c: Compose) => void, RegExp][] = [
    ['an unpinned postgres', (c) => (c.services.postgres.image = 'pgvector/pgvector:pg16'), /not pinned/],
    ['a misspelt variable', (c) => (c.services.search.environment.EMBEDDER_ADDRESS = 'embedder:50051'), /EMBEDDER_ADDRESS is not a search setting/],
    ['an invalid port value', (c) => (c.services.embedder.environment.EMBEDDER_HTTP_PORT = 'eighty'), /not a valid value/],
    ['a port moved without its mapping', (c) => (c.services.embedder.environment.EMBEDDER_GRPC_PORT = '6000'), /grpc port 6000 is not published/],
    ['search waiting on the embedder', (c) => (c.services.search.depends_on.embedder.condition = 'service_healthy'), /service_started/],
    ['search not waiting on postgres', (c) => delete c.services.search.depends_on.postgres, /postgres to be healthy/],
    ['a missing healthcheck', (c) => delete c.services.embedder.healthcheck, /embedder has no healthcheck/],
    ['a healthcheck on the wrong port', (c) => (c.services.search.healthcheck.test[3] = c.services.search.healthcheck.test[3].replace('8082', '8081')), /readyz on the HTTP port 8082/],
    ['an address off the embedder port', (c) => (c.services.search.environment.EMBEDDER_ADDRESSES = 'embedder:50052'), /does not reach the embedder/],
    ['a hand-set vector width, which search no longer reads', (c) => (c.services.search.environment.EMBEDDING_DIMENSIONS = '768'), /no longer read/],
    ['a writable root filesystem', (c) => delete c.services.embedder.read_only, /read_only/],
    ['an undeclared volume', (c) => delete c.volumes.pgdata, /not declared/],
  ];
  it.each(cases)('%s', (_name, change, problem) => {
    expect(checkCompose(mutated(change)).join('\n')).toMatch(problem);
  });
});
