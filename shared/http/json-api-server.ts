import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { cancelled } from '../errors.js';
import type { ServerTlsPem } from '../grpc/tls.js';
import { logger } from '../logger.js';
import type { Route } from './route.js';
import { RouteMatcher } from './route-matcher.js';
import { shapeError, type InputPart } from './shape-errors.js';
import { bodyTooLarge, malformedRequest, shuttingDown, toHttpError, unsupportedMediaType } from './status.js';

export interface JsonApiServerOptions<Deps> {
  host: string;
  port: number;
  routes: readonly Route<Deps>[];
  deps: Deps;
  /** Largest request body accepted; larger ones get 413 before anything is parsed. */
  maxBodyBytes: number;
  /** HTTPS with this certificate; with clientCa, clients must present a certificate it signed (mTLS). */
  tls?: ServerTlsPem;
  /** Called once per answered request: the operation (or "unmatched"), the HTTP status and the seconds taken. */
  onResponse?: (operation: string, status: number, seconds: number) => void;
}

export interface RunningJsonApiServer {
  server: Server;
  port: number;
  /** Refuse new requests (503), let in-flight ones finish within graceMs, then close every connection. */
  close: (graceMs?: number) => Promise<void>;
}

/**
 * How long an oversized body is read and thrown away before its 413 is sent.
 * Answering while the client still writes and then closing makes the kernel
 * reset the connection, and a reset can destroy the 413 before the client
 * reads it; draining for a bounded time avoids that without letting a client
 * hold the server forever.
 */
const OVERSIZE_DRAIN_MS = 2_000;

/**
 * A JSON API over node:http from a route table (shared/http/route.ts): route
 * → content type → size → JSON → shape → handler → JSON, with every failure
 * answered through shared/http/status.ts. No framework: the table is the
 * whole API, and the same table generates the OpenAPI document.
 */
export async function startJsonApiServer<Deps>(options: JsonApiServerOptions<Deps>): Promise<RunningJsonApiServer> {
  const matcher = new RouteMatcher(options.routes);
  let draining = false;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    let operation = 'unmatched';
    let status = 500;
    let reason: string | undefined;
    try {
      if (draining) throw shuttingDown();
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const { route, params } = matcher.match(req.method ?? 'GET', q < 0 ? url : url.slice(0, q));
      operation = route.operationId;
      let body: unknown;
      if (route.body) {
        requireJson(req);
        body = parseJson(await readBody(req, options.maxBodyBytes));
      }
      const input = {
        params: route.params ? check(route.params, params, 'path parameter') : undefined,
        query: checkQuery(route, q < 0 ? '' : url.slice(q + 1)),
        body: route.body ? check(route.body, body, 'body') : undefined,
      };
      const out = await route.handle(input, options.deps);
      status = 200;
      send(req, res, 200, out, {});
    } catch (err) {
      const answer = toHttpError(err);
      status = answer.status;
      reason = answer.body.error.reason;
      send(req, res, answer.status, answer.body, answer.headers);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      options.onResponse?.(operation, status, seconds);
      // Operation, status and reason only: paths carry ids, bodies carry text.
      logger.debug({ operation, method: req.method, status, reason, ms: Math.round(seconds * 1000) }, 'http');
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = options.tls
    ? createHttpsServer(
        { cert: options.tls.cert, key: options.tls.key, ca: options.tls.clientCa, requestCert: !!options.tls.clientCa, rejectUnauthorized: !!options.tls.clientCa },
        listener,
      )
    : createHttpServer(listener);
  // `Expect: 100-continue` (curl sends it past 1 MB): refuse an oversized body before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req) > options.maxBodyBytes) {
      const answer = toHttpError(bodyTooLarge(tooLargeMessage(options.maxBodyBytes)));
      res.writeHead(answer.status, { ...jsonHeaders(), ...answer.headers, connection: 'close' });
      res.end(JSON.stringify(answer.body));
      options.onResponse?.('unmatched', answer.status, 0);
      return;
    }
    res.writeContinue();
    listener(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        draining = true;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function jsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, payload: unknown, headers: Record<string, string>) {
  if (res.headersSent) return;
  const body = JSON.stringify(payload);
  // A body this request did not read (refused before reading it) must not be parsed as the next request.
  const unread = !req.complete && (declaredLength(req) > 0 || req.headers['transfer-encoding'] !== undefined);
  res.writeHead(status, { ...jsonHeaders(), ...headers, 'content-length': String(Buffer.byteLength(body)), ...(unread ? { connection: 'close' } : {}) });
  res.end(body);
}

function declaredLength(req: IncomingMessage): number {
  const raw = req.headers['content-length'];
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isFinite(n) ? n : 0;
}

function tooLargeMessage(limit: number): string {
  return `request body is larger than ${limit} bytes (SEARCH_MAX_REQUEST_BYTES, the same limit as gRPC); split the batch`;
}

/** application/json, any parameters, but if a charset is named it must be UTF-8 (RFC 8259). */
function requireJson(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  const [media, ...params] = (type ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (media !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw unsupportedMediaType(
      type ? `content type ${JSON.stringify(type.slice(0, 100))} is not supported; send application/json (UTF-8)` : 'no content type; send the body as application/json',
    );
  }
}

/**
 * Reads the body up to `limit` bytes. Past it the rest is drained for a
 * bounded time (see OVERSIZE_DRAIN_MS), then the 413 is thrown.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declaredLength(req) > limit;
    const refuse = () => {
      chunks.length = 0;
      const timer = setTimeout(done, OVERSIZE_DRAIN_MS);
      function done() {
        clearTimeout(timer);
        reject(bodyTooLarge(tooLargeMessage(limit)));
      }
      if (req.complete) done();
      else req.once('end', done);
    };
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        refuse();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
    // The client went away mid-body: nobody will read an answer.
    req.once('close', () => {
      if (!req.complete) reject(cancelled('the client closed the connection before sending the whole body'));
    });
    if (over) refuse();
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(raw: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw malformedRequest('malformed_json', 'the body is not valid UTF-8');
  }
  if (text.trim() === '') throw malformedRequest('malformed_json', 'the body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8's message quotes the input; keep only where it failed.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw malformedRequest('malformed_json', `the body is not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
}

function check(schema: z.ZodType, value: unknown, part: InputPart): unknown {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw shapeError(part, parsed.error.issues);
  return parsed.data;
}

function checkQuery(route: { query?: z.ZodObject }, search: string): unknown {
  const params = new URLSearchParams(search);
  const values: Record<string, string> = {};
  for (const name of new Set(params.keys())) {
    const all = params.getAll(name);
    if (all.length > 1) throw malformedRequest('invalid_field', `query parameter ${name} is given ${all.length} times; give it once`);
    values[name] = all[0];
  }
  if (!route.query) {
    const names = Object.keys(values);
    if (names.length > 0) throw malformedRequest('unknown_field', `unknown query parameter ${names.map((n) => JSON.stringify(n)).join(', ')}; this operation takes none`);
    return undefined;
  }
  return check(route.query, values, 'query parameter');
}
