import { isServiceError, status } from '../shared/client/index.js';
import { CliError, EXIT } from './exit-codes.js';

/** "Not now" statuses (after the client's retries): rerunning later can succeed. */
const UNAVAILABLE = new Set<number>([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED, status.DEADLINE_EXCEEDED]);

/** A failed call as the CLI reports it: exit 4 when the service cannot answer now, 5 when it refused. */
export function serviceFailure(err: unknown, address: string, hint = ''): CliError {
  if (!isServiceError(err)) return err instanceof CliError ? err : new CliError(EXIT.internal, `unexpected error: ${(err as Error)?.message ?? String(err)}`);
  const what = `${status[err.code]}: ${err.details}`;
  const suffix = hint ? `\n${hint}` : '';
  if (UNAVAILABLE.has(err.code)) return new CliError(EXIT.unavailable, `search service at ${address} is unavailable (${what})${suffix}`);
  return new CliError(EXIT.refused, `search service at ${address} refused the request (${what})${suffix}`);
}
