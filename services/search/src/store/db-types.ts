/**
 * The narrow database interface the store is written against. Two adapters
 * implement it: node-postgres over a pool (production, when DATABASE_URL is
 * set) and PGlite (embedded Postgres in WebAssembly with pgvector: in memory
 * or in a data directory). Both speak the same SQL; vectors always travel as
 * text ('[0.1,0.2]') with `::vector` casts so neither driver needs a custom
 * type parser.
 *
 * Rules for callers: every value is a `$n` parameter; inside `transaction`
 * use only the `tx` handed to the callback (PGlite has a single connection,
 * so a query on the outer Db from inside a transaction would wait forever).
 */
export interface QueryResult<T> {
  rows: T[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export type DbBackend = 'postgres' | 'pglite';

export interface Db extends Queryable {
  readonly backend: DbBackend;
  /** Runs `fn` in BEGIN … COMMIT; rolls back and rethrows when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres://… — use a pg.Pool. Unset: embedded PGlite. */
  databaseUrl?: string;
  /** PGlite only: a directory to persist to. Unset: in memory (data is lost on exit). */
  dataDir?: string;
  /** pg only: pool size (default 10). */
  poolMax?: number;
  /** pg only: server-side statement_timeout in ms (default: none). */
  statementTimeoutMs?: number;
  /** pg only: how long to wait for a connection before failing with UNAVAILABLE (default 10 s). */
  connectTimeoutMs?: number;
  /** pg only: application_name shown in pg_stat_activity. */
  applicationName?: string;
}
