import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { writeTestPki, type TestPki } from '../../test/support/certs.js';
import { httpCall } from '../../test/support/http-api.js';
import { notFound, PolysearchError, unavailable, type ErrorKind } from '../errors.js';
import { startJsonApiServer, type RunningJsonApiServer } from './json-api-server.js';
import { route, type Route } from './route.js';
import { HTTP_STATUS_BY_KIND } from './status.js';

/**
 * The transport alone, in process, with a route table of its own: routing,
 * content type, size, JSON and shape checks, and how thrown errors become
 * answers. The search API's behaviour over real processes is in
 * services/search/src/search-http.process.test.ts.
 */
interface Deps {
  gate: Promise<void>;
}
const r = route<Deps>();
const thing = z.strictObject({ name: z.string().optional(), count: z.int().min(0).max(10).optional(), tags: z.array(z.string()).optional() });
const idParams = z.strictObject({ id: z.string() });
const answer = z.object({ id: z.string(), name: z.string() });

const routes: Route<Deps>[] = [
  r({
    method: 'POST',
    path: '/v1/things/{id}',
    operationId: 'putThing',
    summary: 'put',
    params: idParams,
    body: thing,
    response: answer,
    errors: [],
    handle: async ({ params, body }) => ({ id: params.id, name: body.name ?? '' }),
  }),
  r({
    method: 'GET',
    path: '/v1/things/{id}',
    operationId: 'getThing',
    summary: 'get',
    params: idParams,
    response: answer,
    errors: ['not_found'],
    handle: async ({ params }) => {
      if (params.id === 'missing') throw notFound('no thing with that id');
      if (params.id === 'bug') throw new TypeError('secret internals');
      return { id: params.id, name: 'by id' };
    },
  }),
  r({
    method: 'DELETE',
    path: '/v1/things/{id}',
    operationId: 'deleteThing',
    summary: 'delete',
    params: idParams,
    response: answer,
    errors: [],
    handle: async ({ params }) => ({ id: params.id, name: 'deleted' }),
  }),
  r({
    method: 'GET',
    path: '/v1/things/latest',
    operationId: 'latestThing',
    summary: 'a literal segment beside a parameter',
    response: answer,
    errors: [],
    handle: async () => ({ id: 'latest', name: 'literal' }),
  }),
  r({
    method: 'GET',
    path: '/v1/list',
    operationId: 'list',
    summary: 'query parameters',
    query: z.strictObject({ tenant_id: z.string().optional() }),
    response: answer,
    errors: [],
    handle: async ({ query }) => ({ id: 'list', name: query.tenant_id ?? '(all)' }),
  }),
  r({
    method: 'GET',
    path: '/v1/fail/{kind}',
    operationId: 'fail',
    summary: 'throws a typed error of the kind named',
    params: z.strictObject({ kind: z.string() }),
    response: answer,
    errors: [],
    handle: async ({ params }) => {
      throw new PolysearchError(params.kind as ErrorKind, `failed as ${params.kind}`, { reason: `why_${params.kind}` });
    },
  }),
  r({
    method: 'GET',
    path: '/v1/slow',
    operationId: 'slow',
    summary: 'waits for the gate',
    response: answer,
    errors: [],
    handle: async (_input, deps) => {
      await deps.gate;
      return { id: 'slow', name: 'done' };
    },
  }),
];

const LIMIT = 64 * 1024;
let server: RunningJsonApiServer;
let port: number;
let openGate: () => void;
const answered: [string, number][] = [];

beforeAll(async () => {
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  server = await startJsonApiServer({
    host: '127.0.0.1',
    port: 0,
    routes,
    deps: { gate },
    maxBodyBytes: LIMIT,
    onResponse: (operation, status) => answered.push([operation, status]),
  });
  port = server.port;
});

afterAll(async () => {
  openGate?.();
  await server?.close(1_000);
});

describe('routing', () => {
  it('serves a route with path parameters, percent-decoded', async () => {
    const res = await httpCall({ port, path: '/v1/things/a%2Fb', body: { name: 'x' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json).toEqual({ id: 'a/b', name: 'x' });
  });

  it('prefers a literal segment over a parameter, but not over the method', async () => {
    expect((await httpCall({ port, path: '/v1/things/latest' })).json).toEqual({ id: 'latest', name: 'literal' });
    expect((await httpCall({ port, method: 'DELETE', path: '/v1/things/latest' })).json).toEqual({ id: 'latest', name: 'deleted' });
  });

  it('answers 404 for an unknown path and 405 with Allow for a known path and another method', async () => {
    const missing = await httpCall({ port, path: '/v1/nothing' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 404, status: 'NOT_FOUND', reason: 'no_route' });
    const wrong = await httpCall({ port, method: 'PATCH', path: '/v1/things/1' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('DELETE, GET, POST');
    expect(wrong.json.error).toMatchObject({ status: 'UNIMPLEMENTED', reason: 'method_not_allowed' });
  });

  it('refuses a malformed percent-encoding with 400', async () => {
    const res = await httpCall({ port, path: '/v1/things/%E0%A4%A' });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('malformed_path');
  });
});

describe('request checks', () => {
  it.each([
    ['no content type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['JSON in Latin-1', { 'content-type': 'application/json; charset=iso-8859-1' }],
  ])('answers 415 for %s', async (_name, headers) => {
    const res = await httpCall({ port, path: '/v1/things/1', body: Buffer.from('{"name":"x"}'), headers });
    expect(res.status).toBe(415);
    expect(res.json.error).toMatchObject({ code: 415, reason: 'unsupported_media_type' });
    expect(res.json.error.message).toMatch(/application\/json/);
  });

  it('accepts application/json with a UTF-8 charset, in any case', async () => {
    const res = await httpCall({ port, path: '/v1/things/1', body: Buffer.from('{"name":"x"}'), headers: { 'content-type': 'Application/JSON; Charset="UTF-8"' } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['invalid JSON', '{"name": "x",}', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), /UTF-8/],
  ])('answers 400 malformed_json for %s, without quoting the body', async (_name, body, message) => {
    const res = await httpCall({ port, path: '/v1/things/1', body: Buffer.from(body), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('malformed_json');
    expect(res.json.error.message).toMatch(message);
    expect(res.json.error.message).not.toContain('name');
  });

  it.each([
    ['a wrong type', { name: 5 }, 'invalid_field', /body\.name must be a string/],
    ['an integer out of range', { count: 11 }, 'invalid_field', /body\.count must be at most 10/],
    ['a wrong element', { tags: ['a', 1] }, 'invalid_field', /body\.tags\[1\] must be a string/],
    ['not an object', [1, 2], 'invalid_field', /body must be an object/],
    ['an unknown field, with the snake_case hint', { tenantId: 'x' }, 'unknown_field', /body has no field "tenantId" \(fields are snake_case, e\.g\. tenant_id\)/],
  ])('answers 400 naming the field for %s', async (_name, body, reason, message) => {
    const res = await httpCall({ port, path: '/v1/things/1', body });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ status: 'INVALID_ARGUMENT', reason });
    expect(res.json.error.message).toMatch(message);
  });

  it('checks query parameters: known, once each', async () => {
    expect((await httpCall({ port, path: '/v1/list?tenant_id=acme' })).json.name).toBe('acme');
    const twice = await httpCall({ port, path: '/v1/list?tenant_id=a&tenant_id=b' });
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/tenant_id is given 2 times/);
    const unknown = await httpCall({ port, path: '/v1/list?tenantId=a' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toMatch(/unknown query parameter "tenantId"/);
    const none = await httpCall({ port, path: '/v1/things/1?x=1' });
    expect(none.json.error.message).toMatch(/takes none/);
  });
});

describe('body size', () => {
  const big = { name: 'x'.repeat(LIMIT) };

  it('answers 413 when Content-Length is past the limit, and the client reads it', async () => {
    const res = await httpCall({ port, path: '/v1/things/1', body: big });
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 413, status: 'RESOURCE_EXHAUSTED', reason: 'body_too_large' });
    expect(res.json.error.message).toMatch(new RegExp(`larger than ${LIMIT} bytes`));
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const res = await httpCall({ port, path: '/v1/things/1', body: big, chunked: 4096 });
    expect(res.status).toBe(413);
  });

  it('answers 413 before the body is sent when the client expects 100-continue', async () => {
    const res = await httpCall({ port, path: '/v1/things/1', body: big, headers: { expect: '100-continue' } });
    expect(res.status).toBe(413);
  });

  it('answers 413 to a body far past the limit while the client is still writing it', async () => {
    const res = await httpCall({ port, path: '/v1/things/1', body: { name: 'z'.repeat(16 * 1024 * 1024) } });
    expect(res.status).toBe(413);
  });

  it('takes a body of exactly the limit', async () => {
    const name = 'y'.repeat(LIMIT - JSON.stringify({ name: '' }).length);
    const res = await httpCall({ port, path: '/v1/things/1', body: { name } });
    expect(res.status).toBe(200);
    expect(res.json.name).toHaveLength(name.length);
  });
});

describe('errors', () => {
  // Written out, not read from HTTP_STATUS_BY_KIND: a change to the mapping must fail here.
  const expected: [ErrorKind, number][] = [
    ['invalid_argument', 400],
    ['failed_precondition', 400],
    ['not_found', 404],
    ['resource_exhausted', 429],
    ['cancelled', 499],
    ['internal', 500],
    ['unavailable', 503],
    ['deadline_exceeded', 504],
  ];

  it('covers every error kind', () => {
    expect(Object.keys(HTTP_STATUS_BY_KIND).sort()).toEqual(expected.map(([k]) => k).sort());
  });

  it.each(expected)('answers a %s error with HTTP %i, its reason and its message', async (kind, status) => {
    const res = await httpCall({ port, path: `/v1/fail/${kind}` });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: { code: status, status: kind.toUpperCase(), reason: `why_${kind}`, message: `failed as ${kind}` } });
    expect(res.headers['retry-after']).toBe(kind === 'unavailable' || kind === 'resource_exhausted' ? '1' : undefined);
  });

  it('answers a bug with 500 and no detail', async () => {
    const res = await httpCall({ port, path: '/v1/things/bug' });
    expect(res.status).toBe(500);
    expect(res.json.error).toEqual({ code: 500, status: 'INTERNAL', reason: 'internal', message: 'internal error; see server logs' });
    expect(res.text).not.toContain('secret');
  });

  it('reports each answer with its operation and status', () => {
    expect(answered).toContainEqual(['getThing', 500]);
    expect(answered).toContainEqual(['unmatched', 404]);
    expect(answered).toContainEqual(['putThing', 413]);
  });

  it('keeps a core error message as thrown', async () => {
    const direct = unavailable('database unreachable', 'db_unreachable');
    expect(direct.message).toBe('database unreachable');
    const res = await httpCall({ port, path: '/v1/things/missing' });
    expect(res.json.error).toMatchObject({ code: 404, status: 'NOT_FOUND', reason: 'not_found', message: 'no thing with that id' });
  });
});

describe('TLS', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = writeTestPki('polysearch-http-');
  });
  afterAll(() => pki?.cleanup());
  const pem = (path: string) => readFileSync(path);

  it('serves HTTPS with a certificate, and with a client CA refuses clients without a certificate it signed', async () => {
    const tlsServer = await startJsonApiServer({
      host: '127.0.0.1',
      port: 0,
      routes,
      deps: { gate: Promise.resolve() },
      maxBodyBytes: LIMIT,
      tls: { cert: pem(pki.serverCert), key: pem(pki.serverKey) },
    });
    const mtlsServer = await startJsonApiServer({
      host: '127.0.0.1',
      port: 0,
      routes,
      deps: { gate: Promise.resolve() },
      maxBodyBytes: LIMIT,
      tls: { cert: pem(pki.serverCert), key: pem(pki.serverKey), clientCa: pem(pki.ca) },
    });
    try {
      const ca = pem(pki.ca);
      expect((await httpCall({ port: tlsServer.port, path: '/v1/things/latest', tls: { ca } })).status).toBe(200);
      await expect(httpCall({ port: tlsServer.port, path: '/v1/things/latest' })).rejects.toThrow();
      const withCert = await httpCall({ port: mtlsServer.port, path: '/v1/things/latest', tls: { ca, cert: pem(pki.clientCert), key: pem(pki.clientKey) } });
      expect(withCert.status).toBe(200);
      await expect(httpCall({ port: mtlsServer.port, path: '/v1/things/latest', tls: { ca } })).rejects.toThrow();
    } finally {
      await tlsServer.close(1_000);
      await mtlsServer.close(1_000);
    }
  });
});

describe('shutdown', () => {
  it('lets a request in flight finish, then stops listening', async () => {
    const own = await startJsonApiServer({ host: '127.0.0.1', port: 0, routes, deps: { gate: new Promise<void>((resolve) => setTimeout(resolve, 300)) }, maxBodyBytes: LIMIT });
    const inFlight = httpCall({ port: own.port, path: '/v1/slow' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = own.close(5_000);
    expect((await inFlight).json).toEqual({ id: 'slow', name: 'done' });
    await closed;
    await expect(httpCall({ port: own.port, path: '/v1/things/latest' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
