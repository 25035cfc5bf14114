import {
  PolysearchError,
  cancelled,
  deadlineExceeded,
  isPolysearchError,
  unavailable,
} from '../../../../shared/errors.js';

/** The SQLSTATE of a driver error (pg and PGlite both put it on `.code`), also through a PolysearchError's cause. */
export function sqlState(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 3 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * What survives of a driver error: SQLSTATE and where it was raised. Driver
 * errors carry the SQL, the bound parameters and messages that can quote
 * input values (document or query text), so none of that is kept — the
 * cause is safe to log.
 */
export class DbErrorCause extends Error {
  readonly code: string | undefined;
  constructor(err: unknown) {
    const e = (err ?? {}) as Record<string, unknown>;
    const pick = (k: string) => (typeof e[k] === 'string' && (e[k] as string).length < 128 ? (e[k] as string) : undefined);
    const code = sqlState(err) ?? pick('code');
    const parts = [
      code && `code=${code}`,
      pick('severity') && `severity=${pick('severity')}`,
      pick('routine') && `routine=${pick('routine')}`,
      pick('table') && `table=${pick('table')}`,
      pick('column') && `column=${pick('column')}`,
      pick('constraint') && `constraint=${pick('constraint')}`,
    ].filter(Boolean);
    super(`database error (${parts.join(' ') || (err instanceof Error ? err.name : 'unknown')})`);
    this.name = 'DbErrorCause';
    this.code = code;
  }
}

/**
 * Maps a driver error to the typed family. Messages never repeat SQL,
 * parameters or driver messages (they could hold document text); the cause
 * is a {@link DbErrorCause} with the SQLSTATE only.
 */
export function toPolysearchError(err: unknown): PolysearchError {
  if (isPolysearchError(err)) return err;
  const safe = new DbErrorCause(err);
  const state = sqlState(err);
  const netCode = (err as { code?: unknown } | null)?.code;
  if (typeof netCode === 'string' && NETWORK_CODES.has(netCode)) {
    return unavailable('database unreachable', 'db_unreachable', safe);
  }
  if (err instanceof Error && /timeout exceeded when trying to connect|Connection terminated|is not queryable/i.test(err.message)) {
    return unavailable('database connection failed', 'db_connection', safe);
  }
  if (state !== undefined) {
    // 08: connection exception; 53: insufficient resources; 57P0x: shutdown / cannot connect now.
    if (state.startsWith('08') || state.startsWith('53') || /^57P0[1-4]$/.test(state)) {
      return unavailable(`database unavailable (SQLSTATE ${state})`, 'db_unavailable', safe);
    }
    // Serialization failure / deadlock: the caller may retry.
    if (state === '40001' || state === '40P01') {
      return unavailable(`database conflict, retry (SQLSTATE ${state})`, 'db_conflict', safe);
    }
    if (state === '57014') {
      const e = deadlineExceeded('database statement timed out or was cancelled', 'db_statement_timeout');
      return withCause(e, safe);
    }
  }
  if (err instanceof Error && err.name === 'AbortError') return withCause(cancelled('database call cancelled'), safe);
  return new PolysearchError('internal', `database error${state ? ` (SQLSTATE ${state})` : ''}`, {
    reason: 'db_error',
    cause: safe,
  });
}

function withCause(e: PolysearchError, cause: unknown): PolysearchError {
  Object.defineProperty(e, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  return e;
}
