import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RouteMatcher } from '../../../../shared/http/route-matcher.js';
import { ROOT_DIR } from '../../../../shared/paths.js';
import { searchOpenApiDocument } from './openapi-document.js';
import { searchRoutes } from './search-routes.js';

describe('the search route table', () => {
  it('documents every route with an operation of its own', () => {
    const doc = searchOpenApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`));
    expect(operations.sort()).toEqual(searchRoutes.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
    expect(new Set(searchRoutes.map((r) => r.operationId)).size).toBe(searchRoutes.length);
  });

  /** The curl lines of the README (first screen and "Run the services"), continuation lines joined. */
  function readmeCurls(): { method: string; path: string; body?: unknown }[] {
    const readme = readFileSync(join(ROOT_DIR, 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ');
    return readme
      .split('\n')
      .filter((line) => /^curl .*localhost:8083/.test(line))
      .map((line) => {
        const url = /localhost:8083(\/\S*)/.exec(line)![1];
        const data = /-d '([^']*)'/.exec(line)?.[1];
        const method = /-X\s*(\w+)/.exec(line)?.[1] ?? (data ? 'POST' : 'GET');
        return { method, path: url, body: data === undefined ? undefined : JSON.parse(data) };
      });
  }

  it('serves the README curl lines: each names a route, and its body has the route’s shape', () => {
    const curls = readmeCurls();
    expect(curls.length).toBeGreaterThanOrEqual(3);
    const matcher = new RouteMatcher(searchRoutes);
    for (const curl of curls) {
      const { route } = matcher.match(curl.method, curl.path.split('?')[0]);
      if (route.body) expect(route.body.safeParse(curl.body).error?.issues ?? []).toEqual([]);
      else expect(curl.body).toBeUndefined();
    }
  });
});
