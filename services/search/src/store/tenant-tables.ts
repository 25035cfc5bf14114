/**
 * Which tables of the search schema belong to tenants. Every row of a
 * tenant-scoped table carries `tenant_id`, and every statement the store
 * issues against one must name the tenant (a `tenant_id` predicate, or a join
 * on `tenant_id` to a table or key list that does). That keeps each tenant's
 * reads on its own rows today, and makes `tenant_id` usable as the
 * distribution column on Citus, where such statements route to one shard
 * (docs/citus.md). `store/tenant-key.test.ts` checks both: the statements the
 * store issues, and that this list matches the tables the migrations create.
 *
 * Add a table here when a migration creates one: by name, or by pattern for
 * tables created per model or per tenant (e.g. /^passage_vectors_/).
 */
export const TENANT_SCOPED_TABLES: readonly (string | RegExp)[] = ['documents', 'passages'];

/** Tables without a tenant: bookkeeping that every tenant shares (a reference or coordinator-local table on Citus). */
export const SHARED_TABLES: readonly (string | RegExp)[] = ['schema_migrations'];

const matches = (list: readonly (string | RegExp)[], table: string) =>
  list.some((entry) => (typeof entry === 'string' ? entry === table : entry.test(table)));

export function isTenantScopedTable(table: string): boolean {
  return matches(TENANT_SCOPED_TABLES, table);
}

export function isSharedTable(table: string): boolean {
  return matches(SHARED_TABLES, table);
}
