import type { Rule, StatementAnalysis } from './tenant-key-check.js';

/**
 * The one list of statements allowed to break a tenant-key rule
 * (tenant-key-check.ts), each with its reason. `by-design`: right on one
 * Postgres and on Citus. `citus-gap`: right on one Postgres, but must change
 * before polysearch runs on Citus (docs/citus.md, "What changes before
 * Citus"). An exception that matches no statement the store issues fails the
 * test, so the list cannot outlive the code it excuses.
 */
export interface TenantKeyException {
  name: string;
  status: 'by-design' | 'citus-gap';
  reason: string;
  /** The rules it waives; other findings of a matching statement still fail. */
  rules: readonly Rule[];
  /** `caller` is where the store sent it from ("stats.ts:74 modelCoverage"). */
  matches(statement: StatementAnalysis, caller: string): boolean;
}

export const TENANT_KEY_EXCEPTIONS: readonly TenantKeyException[] = [
  {
    name: 'model-wide maintenance',
    status: 'by-design',
    reason:
      'Work that concerns every tenant by purpose, once per model change or per admin call, never per request: queueing ' +
      'every passage for a new model (an INSERT … SELECT joined on tenant_id, which Citus pushes down to each co-located ' +
      'shard), counting a model\'s coverage (aggregates over every shard), listing users to rebuild their tastes in a new ' +
      'model, counting a purged model\'s vectors, and the one-off data move of the per-model migration.',
    rules: ['tenant-key'],
    matches: (s, caller) => !s.locks && /\b(enqueueMissing|modelCoverage|usersWithSignals|dropModel|Object\.run)\b|^(migrations|models)\.ts:/.test(caller),
  },
  {
    name: 'migrations',
    status: 'by-design',
    reason:
      'CREATE TABLE / CREATE INDEX name the tables, not rows. On Citus the migration distributes each new tenant-scoped ' +
      'table with create_distributed_table(…, \'tenant_id\', colocate_with => …) right after creating it; later DDL propagates to the shards.',
    rules: ['ddl'],
    matches: (s) => s.kind === 'utility',
  },
  {
    name: 'migration re-derives every tenant\'s keyword index',
    status: 'by-design',
    reason:
      'A data migration (migration 2: passages.tsv through keyword_text) runs once over all tenants\' rows, joining each ' +
      'passage to its document on tenant_id. Citus runs such an UPDATE on every shard of the colocated tables in parallel.',
    rules: ['tenant-key'],
    matches: (s) =>
      s.kind === 'update' &&
      !s.locks &&
      s.tables.map((t) => t.table).sort().join() === 'documents,passages' &&
      s.tables.every((t) => t.routing === 'unkeyed') &&
      s.findings.every((f) => f.rule === 'tenant-key'),
  },
  {
    name: 'stats over all tenants',
    status: 'by-design',
    reason:
      'Stats without a tenant counts every tenant (admin call, not a hot path): one aggregate grouped by tenant_id, which Citus ' +
      'pushes down whole to every shard. With a tenant the key sits behind `$1 IS NULL OR`, so it is not used for routing; ' +
      'split the statement in two if per-tenant Stats ever becomes hot.',
    rules: ['tenant-key'],
    matches: (s) => s.kind === 'select' && s.groupsByTenant && !s.locks && s.tables.every((t) => t.routing === 'unkeyed'),
  },
  {
    name: 'backfill claims across tenants',
    status: 'citus-gap',
    reason:
      'The backfill is a work queue over all tenants: it claims pending passages with FOR UPDATE SKIP LOCKED wherever they are. ' +
      'Citus runs FOR UPDATE only in single-shard queries, so on Citus the claim must pick a tenant first (from a per-tenant ' +
      'pending count) and claim within it.',
    rules: ['tenant-key', 'single-tenant-lock'],
    matches: (s) => s.skipLocked,
  },
  {
    name: 'upsert locks a batch by key list',
    status: 'citus-gap',
    reason:
      'Upsert locks the batch\'s existing rows (FOR UPDATE OF d) by a (tenant_id, id) key list, which may span tenants. ' +
      'Every row is keyed, but on Citus a lock needs a single-shard statement: Upsert must group its batch by tenant and ' +
      'bind `d.tenant_id = $1` per group.',
    rules: ['single-tenant-lock'],
    matches: (s) => s.kind === 'select' && s.locks && !s.skipLocked && s.tables.every((t) => t.routing === 'key-list'),
  },
];
