import pg from 'pg';
import { logger } from '../../../../shared/logger.js';
import type { Db, OpenDbOptions, QueryResult, Queryable } from './db.js';
import { toPolysearchError } from './db-errors.js';

const log = logger.child({ component: 'search-db', backend: 'postgres' });

type PgOptions = OpenDbOptions & { databaseUrl: string };

/** node-postgres adapter: one pool; a transaction holds one client from BEGIN to COMMIT/ROLLBACK. */
export async function openPgDb(options: PgOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'polysearch-search',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'idle database client error'));
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
    let broken: Error | undefined;
    try {
      await run(client, 'BEGIN');
      const tx: Queryable = { query: <R>(sql: string, params?: readonly unknown[]) => run<R>(client, sql, params) };
      const result = await fn(tx);
      await run(client, 'COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is unusable; destroy it instead of returning it to the pool.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed');
      }
      throw toPolysearchError(err);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
