import { assertTenantId } from '../core/ids.js';
import { listModels, type ModelRow } from './models.js';
import { vectorTable } from './model-tables.js';
import type { StoreContext } from './store-context.js';

export interface TenantStats {
  tenantId: string;
  documents: number;
  passages: number;
  /** Passages without a vector of the current model (keyword-searchable meanwhile). */
  pendingPassages: number;
  /** Passages the embedder refused for the current model: set aside, retried when their content changes. */
  failedPassages: number;
}

export interface StoreStats {
  tenants: TenantStats[];
  pendingPassages: number;
  failedPassages: number;
}

/**
 * Counts per tenant (one tenant, or all when tenantId is empty), pending and
 * failed against the current model (modelKey; null while none is known:
 * every passage is pending). Full counts, meant for an admin call, not for a
 * hot path. Stats over every tenant is a whole-table scan by design.
 */
export async function stats(ctx: StoreContext, options: { tenantId?: string; modelKey: number | null }): Promise<StoreStats> {
  // Empty means every tenant; anything else must be a valid tenant id ("   " is not).
  const tenantId = options.tenantId === undefined || options.tenantId === '' ? null : assertTenantId(options.tenantId);
  const where = (alias: string) => (tenantId === null ? '' : `WHERE ${alias}.tenant_id = $1::text`);
  const args = tenantId === null ? [] : [tenantId];
  const count = async (sql: string, params: unknown[] = args) =>
    new Map((await ctx.db.query<{ tenant_id: string; n: number }>(sql, params)).rows.map((r) => [r.tenant_id, Number(r.n)]));
  const documents = await count(`SELECT d.tenant_id, count(*)::bigint AS n FROM ${ctx.s}.documents d ${where('d')} GROUP BY d.tenant_id`);
  const passages = await count(`SELECT p.tenant_id, count(*)::bigint AS n FROM ${ctx.s}.passages p ${where('p')} GROUP BY p.tenant_id`);
  const vectors =
    options.modelKey === null
      ? new Map<string, number>()
      : await count(`SELECT v.tenant_id, count(*)::bigint AS n FROM ${vectorTable(ctx.s, options.modelKey)} v ${where('v')} GROUP BY v.tenant_id`);
  const failed =
    options.modelKey === null
      ? new Map<string, number>()
      : await count(
          `SELECT j.tenant_id, count(*)::bigint AS n FROM ${ctx.s}.embed_jobs j
            WHERE j.model = $${args.length + 1}::int AND j.failed_reason IS NOT NULL ${tenantId === null ? '' : 'AND j.tenant_id = $1::text'}
            GROUP BY j.tenant_id`,
          [...args, options.modelKey],
        );
  const tenants = [...new Set([...documents.keys(), ...passages.keys()])].sort().map((t) => {
    const p = passages.get(t) ?? 0;
    const f = failed.get(t) ?? 0;
    return { tenantId: t, documents: documents.get(t) ?? 0, passages: p, failedPassages: f, pendingPassages: Math.max(0, p - (vectors.get(t) ?? 0) - f) };
  });
  return {
    tenants,
    pendingPassages: tenants.reduce((n, t) => n + t.pendingPassages, 0),
    failedPassages: tenants.reduce((n, t) => n + t.failedPassages, 0),
  };
}

export interface ModelCoverageRow {
  model: ModelRow;
  vectors: number;
  pending: number;
  failed: number;
  /** Vectors written in the last minute. */
  lastMinute: number;
}

/** Per kept model: vectors, queued and refused passages, and the recent rate; and the passage total. Admin-call counts. */
export async function modelCoverage(ctx: StoreContext): Promise<{ passages: number; models: ModelCoverageRow[] }> {
  const models = await listModels(ctx);
  const total = Number((await ctx.db.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${ctx.s}.passages`)).rows[0].n);
  const jobs = new Map(
    (
      await ctx.db.query<{ model: number; pending: number; failed: number }>(
        `SELECT j.model, count(*) FILTER (WHERE j.failed_reason IS NULL)::bigint AS pending,
                count(*) FILTER (WHERE j.failed_reason IS NOT NULL)::bigint AS failed
           FROM ${ctx.s}.embed_jobs j GROUP BY j.model`,
      )
    ).rows.map((r) => [Number(r.model), { pending: Number(r.pending), failed: Number(r.failed) }]),
  );
  const out: ModelCoverageRow[] = [];
  for (const model of models) {
    const { rows } = await ctx.db.query<{ n: number; recent: number }>(
      `SELECT count(*)::bigint AS n, count(*) FILTER (WHERE v.embedded_at > now() - interval '60 seconds')::bigint AS recent
         FROM ${vectorTable(ctx.s, model.key)} v`,
    );
    const j = jobs.get(model.key) ?? { pending: 0, failed: 0 };
    out.push({ model, vectors: Number(rows[0].n), pending: j.pending, failed: j.failed, lastMinute: Number(rows[0].recent) });
  }
  return { passages: total, models: out };
}
