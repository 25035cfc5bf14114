import pg from 'pg';
import { unavailable } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import type { Db, OpenDbOptions, QueryResult, Queryable } from './db-types.js';
import { DbErrorCause, toPolysearchError } from './db-errors.js';

const log = logger.child({ component: 'search-db', backend: 'postgres' });

type PgOptions = OpenDbOptions & { databaseUrl: string };

/** The connection error a client emitted, if any: such a client is unusable and must leave the pool. */
const lostConnection = new WeakMap<pg.Client, Error>();

const errorSummary = (err: Error) => ({ message: err.message, code: (err as { code?: string }).code });

/**
 * node-postgres adapter: one pool; a transaction holds one client from BEGIN
 * to COMMIT/ROLLBACK.
 *
 * A pg client emits 'error' when its connection dies (the server restarts,
 * an admin runs pg_terminate_backend, the network drops). The pool listens
 * only while a client is idle; a client checked out for a transaction has no
 * listener, and an unheard 'error' event ends the process. So every client
 * gets a listener of its own for its whole life, which records the loss: the
 * call using it fails with UNAVAILABLE and the client is destroyed on
 * release, so the pool opens a fresh one for the next call.
 */
export async function openPgDb(options: PgOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'polysearch-search',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      lostConnection.set(client, err);
      log.warn({ err: errorSummary(err) }, 'database connection lost');
    });
  });
  // The pool also reports idle clients that lose their connection (and drops them itself).
  pool.on('error', (err) => log.debug({ err: errorSummary(err) }, 'idle database client error'));
  return new PgDb(pool);
}

async function run<T>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
  try {
    const result = await client.query(sql, params === undefined ? undefined : [...params]);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
  } catch (err) {
    throw toPolysearchError(err);
  }
}

function connectionLost(err: Error) {
  return unavailable('database connection lost; retry', 'db_connection_lost', new DbErrorCause(err));
}

class PgDb implements Db {
  readonly backend = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return run<T>(this.pool, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toPolysearchError(err);
    }
    // Whatever the driver says about a dead connection, the caller hears UNAVAILABLE.
    const guarded = async <R>(sql: string, params?: readonly unknown[]) => {
      const before = lostConnection.get(client);
      if (before) throw connectionLost(before);
      try {
        return await run<R>(client, sql, params);
      } catch (err) {
        const lost = lostConnection.get(client);
        throw lost ? connectionLost(lost) : err;
      }
    };
    let broken: Error | undefined;
    try {
      await guarded('BEGIN');
      const tx: Queryable = { query: guarded };
      const result = await fn(tx);
      await guarded('COMMIT');
      return result;
    } catch (err) {
      const lost = lostConnection.get(client);
      if (lost) {
        broken = lost;
      } else {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection is unusable; destroy it instead of returning it to the pool.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed');
        }
      }
      const lostNow = lostConnection.get(client);
      throw lostNow ? connectionLost(lostNow) : toPolysearchError(err);
    } finally {
      client.release(broken ?? lostConnection.get(client));
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
