import { knownFingerprint } from './document-state.js';
import type { StoreContext } from './store-context.js';
import { assertTenantId } from '../core/ids.js';

export interface TenantStats {
  tenantId: string;
  documents: number;
  passages: number;
  /** Passages waiting for a vector (keyword-searchable meanwhile). */
  pendingPassages: number;
  /** Passages the embedder refused: set aside, keyword-searchable only, retried when their content changes. */
  failedPassages: number;
  /** Passages with a vector from another model than `fingerprint`. */
  stalePassages: number;
}

export interface StoreStats {
  tenants: TenantStats[];
  pendingPassages: number;
  stalePassages: number;
  failedPassages: number;
}

/**
 * Counts per tenant (one tenant, or all when tenantId is empty). Stale
 * passages are only counted when the current fingerprint is known. These
 * are full counts, meant for an admin call, not for a hot path.
 */
export async function stats(ctx: StoreContext, options: { tenantId?: string; fingerprint?: string | null } = {}): Promise<StoreStats> {
  // Empty means every tenant; anything else must be a valid tenant id ("   " is not).
  const tenantId = options.tenantId === undefined || options.tenantId === '' ? null : assertTenantId(options.tenantId);
  const fingerprint = knownFingerprint(options.fingerprint);
  const docs = await ctx.db.query<{ tenant_id: string; documents: number }>(
    `SELECT tenant_id, count(*)::bigint AS documents
       FROM ${ctx.s}.documents
      WHERE $1::text IS NULL OR tenant_id = $1::text
      GROUP BY tenant_id`,
    [tenantId],
  );
  const passages = await ctx.db.query<{ tenant_id: string; passages: number; pending: number; stale: number; failed: number }>(
    `SELECT tenant_id,
            count(*)::bigint AS passages,
            count(*) FILTER (WHERE embedding IS NULL AND embed_error IS NULL)::bigint AS pending,
            count(*) FILTER (WHERE embed_error IS NOT NULL)::bigint AS failed,
            count(*) FILTER (WHERE embedding IS NOT NULL AND $2::text IS NOT NULL
                               AND fingerprint IS DISTINCT FROM $2::text)::bigint AS stale
       FROM ${ctx.s}.passages
      WHERE $1::text IS NULL OR tenant_id = $1::text
      GROUP BY tenant_id`,
    [tenantId, fingerprint],
  );
  const byTenant = new Map<string, TenantStats>();
  const entry = (t: string) => {
    let e = byTenant.get(t);
    if (!e) byTenant.set(t, (e = { tenantId: t, documents: 0, passages: 0, pendingPassages: 0, stalePassages: 0, failedPassages: 0 }));
    return e;
  };
  for (const r of docs.rows) entry(r.tenant_id).documents = Number(r.documents);
  for (const r of passages.rows) {
    const e = entry(r.tenant_id);
    e.passages = Number(r.passages);
    e.pendingPassages = Number(r.pending);
    e.stalePassages = Number(r.stale);
    e.failedPassages = Number(r.failed);
  }
  const tenants = [...byTenant.values()].sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  return {
    tenants,
    pendingPassages: tenants.reduce((n, t) => n + t.pendingPassages, 0),
    stalePassages: tenants.reduce((n, t) => n + t.stalePassages, 0),
    failedPassages: tenants.reduce((n, t) => n + t.failedPassages, 0),
  };
}
