import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../services/search/src/store/db.js';
import { quoteIdent } from '../../services/search/src/store/identifiers.js';

/**
 * A database for one test: real PostgreSQL when TEST_DATABASE_URL is set
 * (e.g. postgres://postgres@127.0.0.1:5432/test), embedded PGlite otherwise.
 * Each call gets its own fresh schema name (not created: migrations create
 * it) and `cleanup` drops it. The connection (a pg pool, or one PGlite
 * instance, which takes seconds to start) is shared within the test process
 * and closed when the last TestDb is cleaned up.
 */
export interface TestDb {
  db: Db;
  schema: string;
  backend: Db['backend'];
  cleanup(): Promise<void>;
}

let shared: Promise<Db> | undefined;
let users = 0;

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

export function uniqueSchemaName(prefix = 'test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function createTestDb(options: { schemaPrefix?: string } = {}): Promise<TestDb> {
  users++;
  shared ??= openDb({ databaseUrl: testDatabaseUrl(), poolMax: 8, applicationName: 'polysearch-tests' });
  let db: Db;
  try {
    db = await shared;
  } catch (err) {
    users--;
    shared = undefined;
    throw err;
  }
  const schema = uniqueSchemaName(options.schemaPrefix);
  let cleaned = false;
  return {
    db,
    schema,
    backend: db.backend,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      try {
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      } finally {
        users--;
        if (users === 0 && shared) {
          const closing = shared;
          shared = undefined;
          await (await closing).close();
        }
      }
    },
  };
}

/** A separate connection (its own pool or PGlite instance), for tests that need more than the shared one. */
export function openExtraTestDb(): Promise<Db> {
  return openDb({ databaseUrl: testDatabaseUrl(), poolMax: 4, applicationName: 'polysearch-tests' });
}
