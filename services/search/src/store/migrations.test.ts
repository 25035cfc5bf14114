import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, openExtraTestDb, type TestDb } from '../../../../test/support/db.js';
import { isPolysearchError } from '../../../../shared/errors.js';
import { quoteIdent } from './identifiers.js';
import { LATEST_MIGRATION, migrate } from './migrations.js';
import { listModels, servingState } from './models.js';
import { SearchStore } from './search-store.js';
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

  it('creates the schema, tables and indexes, then is a no-op; no vector width is configured', async () => {
    const first = await migrate(t.db, { schema: t.schema });
    expect(first.applied).toEqual(ALL_VERSIONS);
    expect(first.vectorVersion).toMatch(/^0\.8\./);
    const again = await migrate(t.db, { schema: t.schema });
    expect(again.applied).toEqual([]);

    const tables = await t.db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
      [t.schema],
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(['documents', 'embed_jobs', 'interactions', 'models', 'passages', 'schema_migrations', 'serving', 'tenants']);
    const columns = await t.db.query<{ attname: string }>(
      `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = 'passages' AND a.attnum > 0 AND NOT a.attisdropped`,
      [t.schema],
    );
    // Vectors live in one table per model, created when the model is first seen.
    expect(columns.rows.map((r) => r.attname)).not.toContain('embedding');
    const indexes = await t.db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1`, [t.schema]);
    const defs = indexes.rows.map((r) => r.indexdef).join('\n');
    expect(defs).not.toMatch(/USING hnsw/);
    expect(defs).toMatch(/USING gin \(tsv\)/);
    expect(defs).toMatch(/\(tenant_id, locale\)/);
    expect(defs).toMatch(/embed_jobs_pending_idx .* WHERE \(failed_reason IS NULL\)/);
  });

  it('registers a model with its own typed vector table, refusing a width HNSW cannot index and a digest that changes width', async () => {
    const store = await SearchStore.open(t.db, { schema: t.schema, hnswM: 8, hnswEfConstruction: 32 });
    const m = await store.register({ digest: 'd96', dimensions: 96, profile: 'e5-instruct', fixture: true, modelId: 'x' });
    const { rows } = await t.db.query<{ typ: string }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS typ FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = 'embedding'`,
      [t.schema, `vectors_${m.key}`],
    );
    expect(rows[0].typ).toBe('vector(96)');
    expect(await store.register({ digest: 'd96', dimensions: 96, profile: 'e5-instruct', fixture: true, modelId: 'x' })).toEqual(m);
    const wrongWidth = await errorOf(store.register({ digest: 'd96', dimensions: 64, profile: 'e5', fixture: true, modelId: 'x' }));
    expect(isPolysearchError(wrongWidth) && wrongWidth.reason).toBe('model_width_changed');
    const tooWide = await errorOf(store.register({ digest: 'huge', dimensions: 4096, profile: 'e5', fixture: true, modelId: 'x' }));
    expect(isPolysearchError(tooWide) && tooWide.reason).toBe('model_too_wide');
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

describe('upgrading a schema', () => {
  it('migration 2 adds the set-aside columns to a schema at version 1, keeping its rows', async () => {
    const t = await createTestDb();
    try {
      const s = quoteIdent(t.schema);
      await migrate(t.db, { schema: t.schema, dims: 4, upTo: 1 });
      await t.db.query(`INSERT INTO ${s}.documents (tenant_id, id, content_sha256) VALUES ('t', 'd', 'x')`);
      await t.db.query(
        `INSERT INTO ${s}.passages (tenant_id, doc_id, idx, content, char_start, char_end, ts_config, tsv, embedding)
         VALUES ('t', 'd', 0, 'c', 0, 1, 'simple', to_tsvector('simple', 'c'), '[1,0,0,0]')`,
      );
      expect((await migrate(t.db, { schema: t.schema, upTo: 2 })).applied).toEqual([2]);
      const { rows } = await t.db.query<{ embed_error: string | null; n: number }>(`SELECT embed_error, count(*) OVER ()::int AS n FROM ${s}.passages`);
      expect(rows).toEqual([{ embed_error: null, n: 1 }]);
      // A set-aside passage cannot keep a vector.
      await expect(t.db.query(`UPDATE ${s}.passages SET embed_error = 'x'`)).rejects.toMatchObject({ message: expect.stringMatching(/23514/) });
    } finally {
      await t.cleanup();
    }
  });

  it('migration 3 moves each fingerprint\'s vectors into a table of their own and drops them from passages, keeping every row', async () => {
    const t = await createTestDb();
    try {
      const s = quoteIdent(t.schema);
      await migrate(t.db, { schema: t.schema, dims: 4, upTo: 2 });
      for (const [tenant, id] of [['t1', 'a'], ['t1', 'b'], ['t2', 'a']]) {
        await t.db.query(`INSERT INTO ${s}.documents (tenant_id, id, content_sha256) VALUES ($1, $2, 'x')`, [tenant, id]);
      }
      const passage = (tenant: string, id: string, embedding: string | null, fingerprint: string | null, error: string | null = null) =>
        t.db.query(
          `INSERT INTO ${s}.passages (tenant_id, doc_id, idx, content, char_start, char_end, ts_config, tsv, embedding, fingerprint, embed_error)
           VALUES ($1, $2, 0, 'c', 0, 1, 'simple', to_tsvector('simple', 'c'), $3::vector, $4, $5)`,
          [tenant, id, embedding, fingerprint, error],
        );
      await passage('t1', 'a', '[1,0,0,0]', 'fp-old');
      await passage('t1', 'b', '[0,1,0,0]', 'fp-new');
      await passage('t2', 'a', null, null, 'INVALID_ARGUMENT: too large');
      expect((await migrate(t.db, { schema: t.schema, upTo: 3 })).applied).toEqual([3]);

      const store = new SearchStore(t.db, { schema: t.schema });
      const models = await listModels(store.ctx);
      expect(models.map((m) => [m.digest, m.dimensions]).sort()).toEqual([
        ['fp-new', 4],
        ['fp-old', 4],
      ]);
      const vectors = async (digest: string) =>
        (await t.db.query<{ doc: string; v: string }>(`SELECT tenant_id || '/' || doc_id AS doc, embedding::text AS v FROM ${s}.vectors_${models.find((m) => m.digest === digest)!.key}`)).rows;
      expect(await vectors('fp-old')).toEqual([{ doc: 't1/a', v: '[1,0,0,0]' }]);
      expect(await vectors('fp-new')).toEqual([{ doc: 't1/b', v: '[0,1,0,0]' }]);
      expect(Number((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.passages`)).rows[0].n)).toBe(3);
      // The serving model is the embedder's business: none until one reports in.
      expect((await servingState(store.ctx)).current).toBeUndefined();
    } finally {
      await t.cleanup();
    }
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
        migrate(t.db, { schema: t.schema }),
        migrate(other, { schema: t.schema }),
        migrate(t.db, { schema: t.schema }),
        migrate(other, { schema: t.schema }),
      ]);
      expect(results.flatMap((r) => r.applied)).toEqual(ALL_VERSIONS);
      const { rows } = await t.db.query<{ tables: number; versions: number }>(
        `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = $1)::int AS tables,
                (SELECT count(*) FROM ${quoteIdent(t.schema)}.schema_migrations)::int AS versions`,
        [t.schema],
      );
      expect(rows[0]).toEqual({ tables: 8, versions: ALL_VERSIONS.length });
    } finally {
      if (other !== t.db) await other.close();
      await t.cleanup();
    }
  });
});

describe('HNSW parameters', () => {
  it('builds each model\'s index with the configured m and ef_construction', async () => {
    const t = await createTestDb();
    try {
      const store = await SearchStore.open(t.db, { schema: t.schema, hnswM: 8, hnswEfConstruction: 32 });
      const m = await store.register({ digest: 'fp', dimensions: 8, profile: 'e5', fixture: true, modelId: 'x' });
      const { rows } = await t.db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [
        t.schema,
        `vectors_${m.key}_hnsw_idx`,
      ]);
      expect(rows[0].indexdef).toMatch(/USING hnsw \(embedding vector_cosine_ops\) WITH \(m='?8'?, ef_construction='?32'?\)/);
    } finally {
      await t.cleanup();
    }
  });
});
