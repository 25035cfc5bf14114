import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/support/db.js';
import { cleanQueryText } from '../core/search/query.js';
import type { DocumentInput } from './document-input.js';
import { SMALL_TENANT_PASSAGES } from './keyword-search.js';
import { SearchStore } from './search-store.js';
import { isSharedTable, isTenantScopedTable } from './tenant-tables.js';
import { filtersOf, hashEmbedding, testModel } from './test-support/fixtures.js';
import { recordingDb, type RecordedStatement } from './test-support/recording-db.js';
import { analyzeSql, loadSqlParser, type StatementAnalysis } from './test-support/tenant-key-check.js';
import { TENANT_KEY_EXCEPTIONS } from './test-support/tenant-key-exceptions.js';

/**
 * Every statement the store sends names the tenant of every tenant-scoped
 * table it touches (tenant-key-check.ts has the rules, tenant-tables.ts the
 * tables, tenant-key-exceptions.ts the excused statements). The workload
 * below calls every SearchStore method through a Db that records each
 * statement; a new method fails the coverage test until the workload calls it.
 */
const DIMS = 8;
const FP = 'fp-1';
const FP2 = 'fp-2';

const docs: DocumentInput[] = [
  { tenantId: 't1', id: 'en1', locale: 'en', sourceType: 'wiki', title: 'Running shoes', content: 'The runners were running quickly through the parks.', metadata: { team: 'a' } },
  { tenantId: 't1', id: 'de1', locale: 'de-CH', sourceType: 'ticket', title: 'Drucker', content: 'Die Drucker in den Häusern wurden gewartet.' },
  { tenantId: 't2', id: 'en1', locale: 'en', sourceType: 'wiki', title: 'Other tenant', content: 'Running printers in another tenant.' },
];
const embed = (texts: string[]) => Promise.resolve(texts.map((t) => hashEmbedding(t, DIMS)));

describe('tenant key in every store statement', () => {
  let testDb: TestDb;
  let store: SearchStore;
  const statements = new Map<string, RecordedStatement>();
  const called = new Set<string>();

  beforeAll(async () => {
    await loadSqlParser();
    testDb = await createTestDb();
    const db = recordingDb(testDb.db, (s) => {
      if (!statements.has(s.sql)) statements.set(s.sql, s);
    });
    const raw = await SearchStore.open(db, { schema: testDb.schema, dims: DIMS });
    store = new Proxy(raw, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value === 'function' && typeof prop === 'string') called.add(prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await runWorkload();
  }, 120_000);
  afterAll(() => testDb?.cleanup());

  async function runWorkload() {
    await store.migrate();
    // Writes: plain upsert (pending), with vectors, through indexDocuments (plan + embed + write), unchanged.
    await store.planUpsert(docs, FP);
    await store.upsertDocuments(docs.slice(0, 1));
    await store.upsertDocuments(docs.slice(1), { fingerprint: FP, embeddings: await Promise.all(docs.slice(1).map((d) => embed([`${d.title}\n${d.content}`]))) });
    await store.indexDocuments(docs, { fingerprint: FP, embed });
    // The backfill: a pending passage is claimed and stored; then every passage is stale for another model.
    await store.upsertDocuments([{ tenantId: 't2', id: 'pending', content: 'not embedded yet' }]);
    const pending = await store.claimPendingPassages({ limit: 5, fingerprint: FP });
    await store.storePassageEmbeddings(
      pending.map((p) => ({ ...p, embedding: hashEmbedding(p.embeddingText, DIMS) })),
      FP,
    );
    const stale = await store.claimPendingPassages({ limit: 5, fingerprint: FP2 });
    await store.releasePassageClaims(stale);
    // A tenant big enough for the GIN path of keyword search.
    const big = Array.from({ length: SMALL_TENANT_PASSAGES + 1 }, (_, i) => ({ tenantId: 'big', id: `d${i}`, locale: 'en', content: `invoice number ${i}` }));
    await store.upsertDocuments(big);
    // Reads.
    await store.getDocument('t1', 'en1');
    await store.stats({});
    await store.stats({ tenantId: 't1', fingerprint: FP });
    for (const filters of [filtersOf(), filtersOf({ locale: 'en', sourceTypes: ['wiki'], metadata: { team: 'a' } })]) {
      await store.semantic({ tenantId: 't1', vector: hashEmbedding('running shoes', DIMS), model: testModel(FP, DIMS), filters, depth: 5, efSearch: undefined });
    }
    for (const [tenantId, text, filters] of [
      ['t1', 'running', filtersOf({ locale: 'en' })],
      ['t1', 'running drucker', filtersOf()], // parses differently per configuration
      ['t1', '12345', filtersOf()], // one parse for every configuration
      ['big', 'invoice', filtersOf({ sourceTypes: ['wiki'] })],
    ] as const) {
      await store.keyword({ tenantId, text: cleanQueryText(text), filters, depth: 5 });
    }
    await store.deleteDocuments('t1', ['de1']);
  }

  it('the workload calls every SearchStore method', () => {
    const methods = Object.getOwnPropertyNames(SearchStore.prototype).filter((m) => m !== 'constructor');
    expect(methods.filter((m) => !called.has(m))).toEqual([]);
  });

  it('no statement touches a tenant-scoped table without the tenant key, except the listed exceptions', () => {
    const unexcused: string[] = [];
    for (const { sql, caller } of statements.values()) {
      for (const s of analyzeSql(sql, isTenantScopedTable)) {
        const waived = new Set(TENANT_KEY_EXCEPTIONS.filter((e) => e.matches(s)).flatMap((e) => e.rules));
        for (const f of s.findings) {
          if (!waived.has(f.rule)) unexcused.push(`${caller}: [${f.rule}] ${f.message}\n    ${oneLine(sql)}`);
        }
      }
    }
    expect(unexcused, `statements without a tenant key:\n${unexcused.join('\n')}`).toEqual([]);
  });

  it('every exception still excuses a statement the store issues', () => {
    const analyses: StatementAnalysis[] = [...statements.values()].flatMap((s) => analyzeSql(s.sql, isTenantScopedTable));
    const unused = TENANT_KEY_EXCEPTIONS.filter((e) => !analyses.some((s) => e.matches(s) && s.findings.some((f) => e.rules.includes(f.rule))));
    expect(unused.map((e) => e.name)).toEqual([]);
  });

  it('the tenant-scoped table list matches the schema: tables with tenant_id are listed, the others are shared', async () => {
    const { rows } = await testDb.db.query<{ table_name: string; has_tenant: boolean }>(
      `SELECT c.relname AS table_name,
              EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
      [testDb.schema],
    );
    expect(rows.length).toBeGreaterThan(0);
    const wrong = rows.filter((r) => (r.has_tenant ? !isTenantScopedTable(r.table_name) : !isSharedTable(r.table_name)));
    expect(wrong.map((r) => `${r.table_name} (tenant_id: ${r.has_tenant}): add it to store/tenant-tables.ts`)).toEqual([]);
  });
});

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 240);
