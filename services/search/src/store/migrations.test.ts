import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, openExtraTestDb, type TestDb } from '../../../../test/support/db.js';
import { isPolysearchError } from '../../../../shared/errors.js';
import { LATEST_MIGRATION, migrate } from './migrations.js';
import { ALL_TEXT_SEARCH_CONFIGS } from './text-search-config.js';

const ALL_VERSIONS = Array.from({ length: LATEST_MIGRATION }, (_, i) => i + 1);

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('migrate', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.cleanup());

  it('creates the schema, tables and indexes, then is a no-op', async () => {
    const first = await migrate(t.db, { schema: t.schema, dims: 8 });
    expect(first.applied).toEqual(ALL_VERSIONS);
    expect(first.vectorVersion).toMatch(/^0\.8\./);
    const again = await migrate(t.db, { schema: t.schema, dims: 8 });
    expect(again.applied).toEqual([]);

    const tables = await t.db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
      [t.schema],
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(['documents', 'passages', 'schema_migrations']);
    const indexes = await t.db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1`, [t.schema]);
    const defs = indexes.rows.map((r) => r.indexdef).join('\n');
    expect(defs).toMatch(/USING hnsw \(embedding vector_cosine_ops\) WITH \(m='?16'?, ef_construction='?64'?\)/);
    expect(defs).toMatch(/USING gin \(tsv\)/);
    expect(defs).toMatch(/\(tenant_id, locale\)/);
    expect(defs).toMatch(/WHERE \(embedding IS NULL\)/);
  });

  it('refuses a schema built for other dimensions with FAILED_PRECONDITION', async () => {
    const err = await errorOf(migrate(t.db, { schema: t.schema, dims: 384 }));
    expect(isPolysearchError(err) && err.kind).toBe('failed_precondition');
    expect((err as Error).message).toMatch(/8-dimensional embeddings but the service is configured for 384/);
  });

  it('rejects schema names outside the allowlist before any SQL runs', async () => {
    for (const schema of ['Public', 'a-b', 'x"; DROP SCHEMA public; --', '', '1abc', 'pg_catalog', 'a'.repeat(64)]) {
      const err = await errorOf(migrate(t.db, { schema }));
      expect(isPolysearchError(err) && err.kind, schema).toBe('invalid_argument');
    }
  });

  it('validates HNSW parameters', async () => {
    const err = await errorOf(migrate(t.db, { schema: t.schema, dims: 8, hnswM: 16, hnswEfConstruction: 8 }));
    expect(isPolysearchError(err) && err.kind).toBe('invalid_argument');
  });

  it('every text search configuration the mapping names exists in the database', async () => {
    const { rows } = await t.db.query<{ name: string; oid: string | null }>(
      `SELECT n AS name, (SELECT c.oid::text FROM pg_ts_config c WHERE c.cfgname = n) AS oid FROM unnest($1::text[]) AS n`,
      [[...ALL_TEXT_SEARCH_CONFIGS]],
    );
    expect(rows.filter((r) => r.oid === null).map((r) => r.name)).toEqual([]);
  });
});

describe('concurrent migrations', () => {
  it('4 replicas migrating one schema at once: no error, one set of tables', async () => {
    const t = await createTestDb();
    // On PostgreSQL each call runs on its own pooled connection (and the extra
    // Db is a separate pool, like another replica); PGlite serializes them.
    const other = t.backend === 'postgres' ? await openExtraTestDb() : t.db;
    try {
      const results = await Promise.all([
        migrate(t.db, { schema: t.schema, dims: 8 }),
        migrate(other, { schema: t.schema, dims: 8 }),
        migrate(t.db, { schema: t.schema, dims: 8 }),
        migrate(other, { schema: t.schema, dims: 8 }),
      ]);
      expect(results.flatMap((r) => r.applied)).toEqual(ALL_VERSIONS);
      const { rows } = await t.db.query<{ tables: number; versions: number }>(
        `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = $1)::int AS tables,
                (SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'passages_embedding_hnsw_idx')::int AS versions`,
        [t.schema],
      );
      expect(rows[0]).toEqual({ tables: 3, versions: 1 });
    } finally {
      if (other !== t.db) await other.close();
      await t.cleanup();
    }
  });
});

describe('HNSW parameters', () => {
  it('builds the index with the configured m and ef_construction', async () => {
    const t = await createTestDb();
    try {
      await migrate(t.db, { schema: t.schema, dims: 4, hnswM: 8, hnswEfConstruction: 32 });
      const { rows } = await t.db.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'passages_embedding_hnsw_idx'`,
        [t.schema],
      );
      expect(rows[0].indexdef).toMatch(/m='?8'?, ef_construction='?32'?/);
      // A later start with other parameters keeps the index (and only warns).
      expect((await migrate(t.db, { schema: t.schema, dims: 4 })).applied).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
