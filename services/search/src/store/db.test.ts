import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, openExtraTestDb, type TestDb } from '../../../../test/support/db.js';
import { isPolysearchError } from '../../../../shared/errors.js';
import { openDb } from './db.js';
import { quoteIdent } from './identifiers.js';
import { migrate } from './migrations.js';
import { fromVectorLiteral, toVectorLiteral } from './vector-codec.js';

describe('Db adapter', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await migrate(t.db, { schema: t.schema, dims: 3 });
    await t.db.query(`CREATE TABLE ${quoteIdent(t.schema)}.scratch (n int)`);
  });
  afterAll(() => t.cleanup());

  it('commits a transaction and rolls it back when the callback throws', async () => {
    const table = `${quoteIdent(t.schema)}.scratch`;
    await t.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
    });
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [2]);
        throw new Error('abort');
      }),
    ).rejects.toBeDefined();
    const { rows } = await t.db.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`);
    expect(rows.map((r) => Number(r.n))).toEqual([1]);
  });

  it('round-trips vectors as text with ::vector casts', async () => {
    const literal = toVectorLiteral([0.25, -1, 3.5], 3);
    const { rows } = await t.db.query<{ v: string; d: number }>(`SELECT $1::vector::text AS v, ($1::vector <=> $2::vector)::float8 AS d`, [
      literal,
      toVectorLiteral([0.5, -2, 7], 3),
    ]);
    expect(fromVectorLiteral(rows[0].v)).toEqual([0.25, -1, 3.5]);
    expect(rows[0].d).toBeCloseTo(0, 6);
  });

  it('maps driver errors to the typed family without leaking parameters', async () => {
    let error: unknown;
    try {
      await t.db.query(`SELECT $1::int`, ['secret document text']);
    } catch (err) {
      error = err;
    }
    expect(isPolysearchError(error) && error.kind).toBe('internal');
    const e = error as Error & { cause?: Error };
    expect(e.message).toMatch(/SQLSTATE 22P02/);
    expect(JSON.stringify({ message: e.message, cause: e.cause?.message, ...e.cause })).not.toContain('secret');
  });
});

describe('Db adapter when Postgres drops a connection', () => {
  // Only real Postgres has connections to lose; PGlite runs in this process.
  const pgOnly = process.env.TEST_DATABASE_URL ? it : it.skip;
  if (!process.env.TEST_DATABASE_URL) console.warn('skipping the connection-loss tests: they need TEST_DATABASE_URL (real Postgres)');

  pgOnly('fails a transaction whose connection is terminated with UNAVAILABLE, without an unhandled error, and replaces the client', async () => {
    const appName = `polysearch-dbtest-${process.pid}-${Date.now()}`;
    const db = await openDb({ databaseUrl: process.env.TEST_DATABASE_URL, poolMax: 1, applicationName: appName });
    const killer = await openExtraTestDb();
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('uncaughtException', onUnhandled);
    try {
      const kill = () => killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [appName]);
      // Killed while idle in the transaction (the client emits 'error' with no query to receive it)…
      const idle = db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        await kill();
        await new Promise((r) => setTimeout(r, 200));
        await tx.query('SELECT 2');
      });
      await expect(idle).rejects.toMatchObject({ kind: 'unavailable' });
      // …and killed during a statement.
      const busy = db.transaction(async (tx) => {
        await Promise.all([tx.query('SELECT pg_sleep(5)'), new Promise((r) => setTimeout(r, 200)).then(kill)]);
      });
      await expect(busy).rejects.toMatchObject({ kind: 'unavailable' });
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
      // The pool (of one) replaced the dead client: the next calls work.
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0].n).toBe(1);
      expect(await db.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 2 AS n')).rows[0].n)).toBe(2);
    } finally {
      process.off('uncaughtException', onUnhandled);
      await killer.close();
      await db.close();
    }
  });
});

describe('PGlite in a data directory', () => {
  it('persists across reopen', async () => {
    if (process.env.TEST_DATABASE_URL) return; // PGlite-only behaviour
    const dir = await mkdtemp(join(tmpdir(), 'polysearch-pglite-'));
    try {
      const first = await openDb({ dataDir: dir });
      await migrate(first, { schema: 'persisted', dims: 3 });
      await first.query(`INSERT INTO persisted.documents (tenant_id, id, content_sha256) VALUES ($1, $2, $3)`, ['t', 'd', 'x']);
      await first.close();
      const second = await openDb({ dataDir: dir });
      expect((await migrate(second, { schema: 'persisted', dims: 3 })).applied).toEqual([]);
      const { rows } = await second.query<{ n: number }>(`SELECT count(*)::int AS n FROM persisted.documents`);
      expect(rows[0].n).toBe(1);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
