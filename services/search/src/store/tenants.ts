import type { Queryable } from './db.js';
import type { StoreContext } from './store-context.js';

/**
 * Each tenant's small integer key (the tenants table). Vector rows carry it
 * so that a tenant's own HNSW index can be a partial index on an integer
 * this store generated — CREATE INDEX takes no `$n` parameters, and a
 * tenant id is caller text. Creates keys for tenants seen for the first time.
 */
export async function tenantKeys(ctx: StoreContext, q: Queryable, tenantIds: Iterable<string>): Promise<Map<string, number>> {
  const ids = [...new Set(tenantIds)].sort();
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  await q.query(`INSERT INTO ${ctx.s}.tenants (tenant_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (tenant_id) DO NOTHING`, [ids]);
  const { rows } = await q.query<{ tenant_id: string; key: number }>(`SELECT tenant_id, key FROM ${ctx.s}.tenants WHERE tenant_id = ANY($1::text[])`, [ids]);
  for (const r of rows) out.set(r.tenant_id, Number(r.key));
  return out;
}
