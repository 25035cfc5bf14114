import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { PolysearchError, type ErrorKind } from '../errors.js';
import { toServiceError } from '../grpc/status.js';
import { HTTP_STATUS_BY_KIND, toHttpError } from './status.js';

describe('HTTP and gRPC error mappings', () => {
  it.each(Object.keys(HTTP_STATUS_BY_KIND) as ErrorKind[])('give a %s error the same status name, reason and message on both transports', (kind) => {
    const err = new PolysearchError(kind, `a ${kind} failure`, { reason: `r_${kind}` });
    const grpc = toServiceError(err);
    const http = toHttpError(err);
    expect(http.body.error.status).toBe(status[grpc.code!]);
    expect(http.body.error.message).toBe(grpc.details);
    expect(http.body.error.reason).toBe(grpc.metadata!.get('polysearch-reason')[0]);
    expect(http.body.error.code).toBe(http.status);
  });

  it('hides what an unexpected error says on both transports', () => {
    const err = new TypeError('internals');
    expect(toServiceError(err).details).toBe(toHttpError(err).body.error.message);
    expect(toHttpError(err).body.error.message).not.toContain('internals');
  });
});
