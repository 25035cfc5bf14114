import { Metadata, type CallOptions as GrpcCallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { CallOptions, Channel } from './channel.js';
import { withRetries } from './retry.js';

/** The shape of a generated unary method with all four arguments. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<GrpcCallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

function once<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, metadata: Metadata, deadline: number, signal?: AbortSignal): Promise<Res> {
  return new Promise((resolve, reject) => {
    const call = method(request, metadata, { deadline }, (err, res) => {
      signal?.removeEventListener('abort', cancel);
      if (err) reject(err);
      else resolve(res);
    });
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
  });
}

/**
 * One logical call: a deadline over all attempts (each attempt carries the
 * remaining time as its gRPC deadline, so the server can drop work nobody
 * waits for), retried per the policy.
 */
export function unary<Req, Res>(channel: Channel, method: UnaryMethod<Req, Res>, request: Req, options: CallOptions = {}): Promise<Res> {
  const deadline = Date.now() + (options.deadlineMs ?? channel.defaultDeadlineMs);
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const policy = options.retry === false ? { ...channel.retry, maxAttempts: 1 } : { ...channel.retry, ...options.retry };
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  return withRetries(() => once(method, request, metadata, deadline, options.signal), { policy, deadline, signal: options.signal });
}
