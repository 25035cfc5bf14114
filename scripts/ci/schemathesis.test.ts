import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startJsonApiServer, type RunningJsonApiServer } from '../../shared/http/json-api-server.js';
import { buildOpenApi } from '../../shared/http/openapi.js';
import { route } from '../../shared/http/route.js';
import { runSchemathesis, schemathesisInstalled, SCHEMATHESIS_BIN } from './schemathesis-runner.js';

/**
 * The CI step (scripts/ci/check-search-api.ts) must fail when the API answers
 * a 5xx. Here schemathesis, with the step's own arguments, runs against a
 * small API with a planted bug: a handler that reads a field the schema lets
 * the caller leave out. Skipped where schemathesis is not installed, except
 * with POLYSEARCH_REQUIRE_SCHEMATHESIS=1 (the CI step sets it).
 */
const required = process.env.POLYSEARCH_REQUIRE_SCHEMATHESIS === '1';
const available = schemathesisInstalled();

describe.skipIf(!available && !required)('schemathesis CI step', () => {
  let dir: string;
  let server: RunningJsonApiServer;
  const requestSchemas = z.registry<{ id: string }>();
  const responseSchemas = z.registry<{ id: string }>();
  const body = z.strictObject({ name: z.string().optional(), tags: z.array(z.string()).optional() });
  const answer = z.strictObject({ name: z.string(), tags: z.int() });
  requestSchemas.add(body, { id: 'Thing' });
  responseSchemas.add(answer, { id: 'Answer' });
  const r = route<null>();
  const routes = [
    r({
      method: 'POST',
      path: '/v1/things',
      operationId: 'putThing',
      summary: 'planted bug: tags may be left out, the handler assumes it is not',
      body,
      response: answer,
      errors: ['invalid_argument'],
      handle: async ({ body: b }) => ({ name: b.name ?? '', tags: b.tags!.length }),
    }),
  ];

  beforeAll(async () => {
    expect(available, `schemathesis is not installed at ${SCHEMATHESIS_BIN}: run bash scripts/ci/install-schemathesis.sh`).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'polysearch-schemathesis-'));
    const document = buildOpenApi({ title: 'planted', version: 'v1', description: 'a planted 500', servers: [], routes, requestSchemas, responseSchemas });
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    server = await startJsonApiServer({ host: '127.0.0.1', port: 0, routes, deps: null, maxBodyBytes: 1 << 20 });
  });

  afterAll(async () => {
    await server?.close(1_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fails on a planted server error', async () => {
    const run = await runSchemathesis({ document: join(dir, 'openapi.json'), url: `http://127.0.0.1:${server.port}`, maxExamples: 10, seed: '1', workDir: join(dir, 'work') });
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toMatch(/Server error/);
  }, 120_000);
});
