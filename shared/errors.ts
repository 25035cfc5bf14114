/**
 * The one typed error family of polysearch. Core code throws these; the gRPC
 * layer maps them to a status in exactly one place (shared/grpc/status.ts).
 * Messages are shown to callers, so they say what to change, and they never
 * contain query or document text.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'cancelled'
  | 'internal';

export class PolysearchError extends Error {
  readonly kind: ErrorKind;
  /** A short machine-readable reason for metrics labels (e.g. "queue_full"). */
  readonly reason: string;

  constructor(kind: ErrorKind, message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PolysearchError';
    this.kind = kind;
    this.reason = options.reason ?? kind;
  }
}

export const invalidArgument = (message: string, reason = 'invalid_argument') =>
  new PolysearchError('invalid_argument', message, { reason });
export const notFound = (message: string) => new PolysearchError('not_found', message);
export const failedPrecondition = (message: string, reason = 'failed_precondition') =>
  new PolysearchError('failed_precondition', message, { reason });
export const resourceExhausted = (message: string, reason = 'resource_exhausted') =>
  new PolysearchError('resource_exhausted', message, { reason });
export const unavailable = (message: string, reason = 'unavailable', cause?: unknown) =>
  new PolysearchError('unavailable', message, { reason, cause });
export const deadlineExceeded = (message: string, reason = 'deadline_exceeded') =>
  new PolysearchError('deadline_exceeded', message, { reason });
export const cancelled = (message: string) => new PolysearchError('cancelled', message, { reason: 'cancelled' });

export function isPolysearchError(err: unknown): err is PolysearchError {
  return err instanceof PolysearchError;
}
