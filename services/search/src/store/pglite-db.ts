import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import type { Db, QueryResult, Queryable } from './db-types.js';
import { toPolysearchError } from './db-errors.js';

/**
 * PGlite adapter: embedded PostgreSQL with the pgvector extension loaded.
 * A single connection: PGlite queues queries, and `transaction` holds it
 * exclusively until the callback settles.
 */
export async function openPgliteDb(options: { dataDir?: string } = {}): Promise<Db> {
  try {
    const pglite = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      extensions: { vector },
    });
    return new PgliteDb(pglite);
  } catch (err) {
    throw toPolysearchError(err);
  }
}

async function run<T>(target: PGlite | Transaction, sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
  try {
    const result = await target.query<T>(sql, params === undefined ? undefined : [...params]);
    return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
  } catch (err) {
    throw toPolysearchError(err);
  }
}

class PgliteDb implements Db {
  readonly backend = 'pglite' as const;
  constructor(private readonly pglite: PGlite) {}

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return run<T>(this.pglite, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.pglite.transaction(async (t) => {
        const tx: Queryable = { query: <R>(sql: string, params?: readonly unknown[]) => run<R>(t, sql, params) };
        return fn(tx);
      });
    } catch (err) {
      throw toPolysearchError(err);
    }
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}
