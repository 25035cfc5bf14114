import { z } from 'zod';
import { isPolysearchError, type ErrorKind } from '../errors.js';
import { logger } from '../logger.js';

/**
 * The only place where errors become HTTP responses (shared/grpc/status.ts is
 * its gRPC twin). A core error keeps its message and reason on both
 * transports; `status` names the gRPC code the same error gets over gRPC, so
 * a client can treat both transports alike.
 */
export const httpErrorBodySchema = z
  .object({
    error: z.object({
      code: z.int().min(100).max(599).describe('The HTTP status, repeated for clients that only keep the body.'),
      status: z.string().describe('The gRPC status name of the same failure (INVALID_ARGUMENT, NOT_FOUND, …).'),
      reason: z.string().describe('Short machine-readable reason (the gRPC polysearch-reason metadata), e.g. empty_query, body_too_large.'),
      message: z.string().describe('What went wrong and what to change; never contains query or document text.'),
    }),
  })
  .describe('Every error answer: the same message and reason the same failure gets over gRPC.');

export type HttpErrorBody = z.infer<typeof httpErrorBodySchema>;

export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: HttpErrorBody;
}

/**
 * HTTP status per error kind: google.rpc.Code's documented HTTP mapping (the
 * one grpc-gateway uses). The gRPC status name is the kind upper-cased.
 */
export const HTTP_STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = Object.freeze({
  invalid_argument: 400,
  failed_precondition: 400,
  not_found: 404,
  resource_exhausted: 429,
  // Nginx's "client closed request": the caller went away, nobody reads it.
  cancelled: 499,
  internal: 500,
  unavailable: 503,
  deadline_exceeded: 504,
});

/** Retrying later can succeed: say when (seconds), as gRPC clients back off on the same codes. */
const RETRY_AFTER_BY_KIND: Partial<Record<ErrorKind, string>> = { resource_exhausted: '1', unavailable: '1' };

/**
 * Failures of the HTTP transport itself, before a core is called: statuses
 * that no core error kind has (405, 413, 415) or that the transport decides
 * (unknown route, malformed JSON). `grpcStatus` is what gRPC answers to the
 * nearest equivalent (an oversized message is RESOURCE_EXHAUSTED there).
 */
export class HttpProtocolError extends Error {
  constructor(
    readonly httpStatus: 400 | 404 | 405 | 413 | 415 | 503,
    readonly grpcStatus: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'UNIMPLEMENTED' | 'RESOURCE_EXHAUSTED' | 'UNAVAILABLE',
    readonly reason: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

export const malformedRequest = (reason: string, message: string) => new HttpProtocolError(400, 'INVALID_ARGUMENT', reason, message);
export const noRoute = (message: string) => new HttpProtocolError(404, 'NOT_FOUND', 'no_route', message);
export const methodNotAllowed = (allowed: readonly string[], message: string) =>
  new HttpProtocolError(405, 'UNIMPLEMENTED', 'method_not_allowed', message, { allow: allowed.join(', ') });
export const bodyTooLarge = (message: string) => new HttpProtocolError(413, 'RESOURCE_EXHAUSTED', 'body_too_large', message);
export const unsupportedMediaType = (message: string) => new HttpProtocolError(415, 'INVALID_ARGUMENT', 'unsupported_media_type', message);
export const shuttingDown = () => new HttpProtocolError(503, 'UNAVAILABLE', 'shutting_down', 'the server is shutting down; retry on another instance', { 'retry-after': '1' });

/** Every HTTP status an error of these kinds (plus the transport's own) can produce: what the OpenAPI document lists. */
export function httpStatusesOf(kinds: readonly ErrorKind[]): number[] {
  return [...new Set(kinds.map((k) => HTTP_STATUS_BY_KIND[k]))].sort((a, b) => a - b);
}

export function toHttpError(err: unknown): HttpErrorResponse {
  if (err instanceof HttpProtocolError) {
    return {
      status: err.httpStatus,
      headers: err.headers,
      body: { error: { code: err.httpStatus, status: err.grpcStatus, reason: err.reason, message: err.message } },
    };
  }
  if (isPolysearchError(err)) {
    const status = HTTP_STATUS_BY_KIND[err.kind];
    const retryAfter = RETRY_AFTER_BY_KIND[err.kind];
    return {
      status,
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
      body: { error: { code: status, status: err.kind.toUpperCase(), reason: err.reason, message: err.message } },
    };
  }
  // A bug, not bad input: keep the stack in the log, not in the caller's face.
  logger.error({ err }, 'unexpected error in HTTP handler');
  return {
    status: 500,
    headers: {},
    body: { error: { code: 500, status: 'INTERNAL', reason: 'internal', message: 'internal error; see server logs' } },
  };
}
