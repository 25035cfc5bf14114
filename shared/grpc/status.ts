import { Metadata, status, type ServiceError, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { isPolysearchError, type ErrorKind } from '../errors.js';
import { logger } from '../logger.js';

const STATUS_BY_KIND: Record<ErrorKind, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  cancelled: status.CANCELLED,
  internal: status.INTERNAL,
};

/** The only place where errors become gRPC statuses. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  if (isPolysearchError(err)) {
    const metadata = new Metadata();
    metadata.set('polysearch-reason', err.reason);
    return { code: STATUS_BY_KIND[err.kind], details: err.message, metadata };
  }
  // A bug, not bad input: keep the stack in the log, not in the caller's face.
  logger.error({ err }, 'unexpected error in handler');
  return { code: status.INTERNAL, details: 'internal error; see server logs' };
}

/**
 * Adapts an async core call to a grpc-js unary handler: validate and call the
 * core inside `fn`, and every thrown error is mapped by toServiceError.
 */
export function unary<Req, Res>(
  fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    fn(call.request, call).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toServiceError(err) as ServiceError),
    );
  };
}

/** The caller's deadline as epoch milliseconds, or undefined when it set none. */
export function callDeadline(call: ServerUnaryCall<unknown, unknown>): number | undefined {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  if (typeof deadline === 'number' && Number.isFinite(deadline)) return deadline;
  return undefined;
}
