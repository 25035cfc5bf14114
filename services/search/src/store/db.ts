import type { Db, OpenDbOptions } from './db-types.js';

export type * from './db-types.js';

/** Opens the adapter the options select. Drivers are imported lazily so the unused one is never loaded. */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  if (options.databaseUrl) {
    const { openPgDb } = await import('./pg-db.js');
    return openPgDb({ ...options, databaseUrl: options.databaseUrl });
  }
  const { openPgliteDb } = await import('./pglite-db.js');
  return openPgliteDb({ dataDir: options.dataDir });
}
