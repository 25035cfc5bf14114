import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSql, loadSqlParser, type StatementAnalysis } from './tenant-key-check.js';

const isTenantTable = (t: string) => t === 'documents' || t === 'passages';
const analyze = (sql: string): StatementAnalysis => {
  const [s] = analyzeSql(sql, isTenantTable);
  return s;
};
const routing = (sql: string) => Object.fromEntries(analyze(sql).tables.map((t) => [t.alias, t.routing]));
const rules = (sql: string) => analyze(sql).findings.map((f) => f.rule);

describe('tenant-key check', () => {
  beforeAll(() => loadSqlParser());

  it('keys a table by a parameter, a literal, or a join to a keyed table', () => {
    expect(routing(`SELECT * FROM s.documents d WHERE d.tenant_id = $1 AND d.id = $2`)).toEqual({ d: 'tenant' });
    expect(routing(`SELECT * FROM s.documents WHERE tenant_id = 'acme'`)).toEqual({ documents: 'tenant' });
    expect(routing(`SELECT * FROM s.passages p JOIN s.documents d ON d.tenant_id = p.tenant_id AND d.id = p.doc_id WHERE p.tenant_id = $1::text`)).toEqual({
      p: 'tenant',
      d: 'tenant',
    });
    expect(rules(`SELECT * FROM s.passages p JOIN s.documents d USING (tenant_id) WHERE d.tenant_id = $1`)).toEqual([]);
  });

  it('finds a table without a tenant predicate, or whose key is only OR-ed in', () => {
    expect(rules(`SELECT * FROM s.documents d WHERE d.id = $1`)).toEqual(['tenant-key']);
    expect(rules(`SELECT count(*) FROM s.passages WHERE $1::text IS NULL OR tenant_id = $1::text`)).toEqual(['tenant-key']);
    expect(rules(`SELECT * FROM s.passages p WHERE NOT (p.tenant_id = $1)`)).toEqual(['tenant-key']);
  });

  it('finds a join on something other than tenant_id, even when both sides are keyed elsewhere', () => {
    expect(rules(`SELECT * FROM s.passages p JOIN s.documents d ON d.id = p.doc_id WHERE p.tenant_id = $1`)).toEqual(['tenant-key', 'colocated-join']);
    expect(rules(`SELECT * FROM s.passages p JOIN s.documents d ON d.tenant_id = p.doc_id WHERE p.tenant_id = $1`)).toContain('tenant-key');
    expect(rules(`SELECT * FROM s.passages p, s.documents d WHERE p.tenant_id = $1 AND d.tenant_id = $2`)).toEqual(['colocated-join']);
  });

  it('resolves aliases and unqualified names as Postgres scopes them (correlated subqueries, CTEs)', () => {
    const get = `SELECT d.id, (SELECT count(*) FROM s.passages p WHERE p.tenant_id = d.tenant_id AND p.doc_id = d.id) AS n
                   FROM s.documents d WHERE d.tenant_id = $1 AND d.id = $2`;
    expect(rules(get)).toEqual([]);
    expect(rules(get.replace('p.tenant_id = d.tenant_id AND ', ''))).toEqual(['tenant-key']);
    // An unqualified tenant_id in a subquery belongs to the subquery's own table.
    expect(rules(`SELECT (SELECT count(*) FROM (SELECT 1 FROM s.passages WHERE tenant_id = $3 LIMIT $4) t) FROM unnest($1::text[]) c(name)`)).toEqual([]);
    const cte = `WITH nearest AS MATERIALIZED (SELECT p.doc_id FROM s.passages p WHERE p.tenant_id = $1)
                 SELECT * FROM nearest b JOIN s.documents d ON d.tenant_id = $1 AND d.id = b.doc_id`;
    expect(rules(cte)).toEqual([]);
    expect(rules(cte.replace('WHERE p.tenant_id = $1', ''))).toEqual(['tenant-key']);
  });

  it('carries a key through a CTE that selects tenant_id', () => {
    const claim = (where: string) => `WITH c AS (SELECT p.tenant_id, p.doc_id FROM s.passages p WHERE ${where} LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE s.passages p SET claim = now() FROM c, s.documents d
        WHERE p.tenant_id = c.tenant_id AND p.doc_id = c.doc_id AND d.tenant_id = p.tenant_id AND d.id = p.doc_id`;
    const cross = analyze(claim('p.embedding IS NULL'));
    expect(cross.skipLocked).toBe(true);
    expect(new Set(cross.findings.map((f) => f.rule))).toEqual(new Set(['tenant-key', 'single-tenant-lock']));
    expect(analyze(claim('p.tenant_id = $2 AND p.embedding IS NULL')).findings).toEqual([]);
  });

  it('tells key lists (a batch of named tenants) from single tenants', () => {
    expect(routing(`DELETE FROM s.passages p USING unnest($1::text[], $2::text[]) AS k(tenant_id, id) WHERE p.tenant_id = k.tenant_id AND p.doc_id = k.id`)).toEqual({
      p: 'key-list',
    });
    expect(routing(`SELECT * FROM s.documents d WHERE d.tenant_id = ANY($1::text[])`)).toEqual({ d: 'key-list' });
    expect(routing(`SELECT * FROM s.documents d WHERE d.tenant_id IN ($1, $2)`)).toEqual({ d: 'key-list' });
    expect(routing(`SELECT * FROM s.documents d WHERE d.tenant_id IN ($1)`)).toEqual({ d: 'tenant' });
    expect(routing(`SELECT * FROM s.documents d JOIN (VALUES ($1, $2)) v(tenant_id, id) ON d.tenant_id = v.tenant_id`)).toEqual({ d: 'tenant' });
    expect(routing(`SELECT * FROM s.documents d JOIN (VALUES ($1), ($2)) v(tenant_id) ON d.tenant_id = v.tenant_id`)).toEqual({ d: 'key-list' });
    // A key list joined on another column keys nothing.
    expect(rules(`SELECT * FROM s.documents d JOIN unnest($1::text[]) AS k(tenant_id) ON d.id = k.tenant_id`)).toEqual(['tenant-key']);
    // Row locks need one tenant.
    expect(rules(`SELECT 1 FROM s.documents d JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) ON d.tenant_id = k.tenant_id FOR UPDATE OF d`)).toEqual([
      'single-tenant-lock',
    ]);
    expect(rules(`SELECT 1 FROM s.documents d WHERE d.tenant_id = $1 AND d.id = ANY($2) FOR UPDATE`)).toEqual([]);
  });

  it('keys an INSERT by the tenant_id it writes', () => {
    expect(routing(`INSERT INTO s.documents (tenant_id, id) VALUES ($1, $2)`)).toEqual({ documents: 'tenant' });
    expect(routing(`INSERT INTO s.documents AS d (tenant_id, id) SELECT r.tenant_id, r.id FROM unnest($1::text[], $2::text[]) AS r(tenant_id, id)`)).toEqual({
      d: 'key-list',
    });
    expect(rules(`INSERT INTO s.documents (id, content) VALUES ($1, $2)`)).toEqual(['tenant-key']);
    expect(rules(`INSERT INTO s.passages (tenant_id, doc_id) SELECT d.tenant_id, d.id FROM s.documents d`)).toEqual(['tenant-key', 'tenant-key']);
    expect(rules(`INSERT INTO s.passages (tenant_id, doc_id) SELECT d.tenant_id, d.id FROM s.documents d WHERE d.tenant_id = $1`)).toEqual([]);
  });

  it('reports DDL on tenant tables, ignores statements that touch none, and notes per-tenant aggregates', () => {
    expect(rules(`CREATE INDEX x ON s.passages USING gin (tsv)`)).toEqual(['ddl']);
    expect(rules(`CREATE TABLE s.schema_migrations (version int)`)).toEqual([]);
    expect(rules(`BEGIN`)).toEqual([]);
    expect(rules(`SELECT set_config('hnsw.ef_search', $1, true)`)).toEqual([]);
    expect(analyze(`SELECT tenant_id, count(*) FROM s.documents GROUP BY tenant_id`).groupsByTenant).toBe(true);
    expect(analyze(`SELECT locale, count(*) FROM s.documents WHERE tenant_id = $1 GROUP BY locale`).groupsByTenant).toBe(false);
  });
});
