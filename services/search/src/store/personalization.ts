import type { ModelRef } from '../core/search/ports.js';
import type { NearestUser, UserUnitOfWork } from '../core/personalization/ports.js';
import type { SignalKind, StoredSignal } from '../core/personalization/signals.js';
import { centroid } from '../core/personalization/taste.js';
import type { Queryable } from './db.js';
import { listModels, servingState } from './models.js';
import { tasteTable, vectorTable } from './model-tables.js';
import type { StoreContext } from './store-context.js';
import { fromVectorLiteral, toVectorLiteral } from './vector-codec.js';

/**
 * SQL for users' signals and taste vectors. The formulas live in the core
 * (core/personalization); this reads and writes rows for it.
 */

/** Document vectors of one model: the mean of each document's passage vectors (normalized by the caller's formula). */
export async function documentVectors(ctx: StoreContext, q: Queryable, tenantId: string, ids: readonly string[], modelKey: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (ids.length === 0) return out;
  const { rows } = await q.query<{ doc_id: string; mean: string }>(
    `SELECT v.doc_id, avg(v.embedding)::text AS mean
       FROM ${vectorTable(ctx.s, modelKey)} v
      WHERE v.tenant_id = $1 AND v.doc_id = ANY($2::text[])
      GROUP BY v.doc_id`,
    [tenantId, [...new Set(ids)]],
  );
  for (const r of rows) {
    const c = centroid([fromVectorLiteral(r.mean)]);
    if (c) out.set(r.doc_id, c);
  }
  return out;
}

export async function taste(ctx: StoreContext, q: Queryable, tenantId: string, userId: string, modelKey: number): Promise<number[] | undefined> {
  const { rows } = await q.query<{ embedding: string }>(
    `SELECT t.embedding::text AS embedding FROM ${tasteTable(ctx.s, modelKey)} t WHERE t.tenant_id = $1 AND t.user_id = $2`,
    [tenantId, userId],
  );
  return rows[0] ? fromVectorLiteral(rows[0].embedding) : undefined;
}

/**
 * One user's unit of work inside a transaction that holds the user's
 * advisory lock, so two concurrent RecordInteractions of one user apply in
 * turn and each recomputes the taste from everything stored.
 */
export async function withUser<T>(
  ctx: StoreContext,
  tenantId: string,
  userId: string,
  keyOf: (model: ModelRef) => Promise<number>,
  onlyModel: ModelRef | undefined,
  fn: (u: UserUnitOfWork) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`polysearch:user:${ctx.schema}:${JSON.stringify([tenantId, userId])}`]);
    const u: UserUnitOfWork = {
      async signals() {
        const { rows } = await tx.query<{ doc_id: string; kind: SignalKind; value: number; weight: number; at: Date | string }>(
          `SELECT i.doc_id, i.kind, i.value, i.weight, i.at FROM ${ctx.s}.interactions i WHERE i.tenant_id = $1 AND i.user_id = $2`,
          [tenantId, userId],
        );
        return rows.map((r): StoredSignal => ({ documentId: r.doc_id, kind: r.kind, value: Number(r.value), weight: Number(r.weight), at: new Date(r.at).getTime() }));
      },
      async putSignals(signals) {
        if (signals.length === 0) return;
        await tx.query(
          `INSERT INTO ${ctx.s}.interactions (tenant_id, user_id, doc_id, kind, value, weight, at)
           SELECT $1, $2, r.doc_id, r.kind, r.value, r.weight, to_timestamp(r.at / 1000.0)
             FROM unnest($3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[]) AS r(doc_id, kind, value, weight, at)
           ON CONFLICT (tenant_id, user_id, doc_id, kind) DO UPDATE SET value = EXCLUDED.value, weight = EXCLUDED.weight, at = EXCLUDED.at`,
          [tenantId, userId, signals.map((s) => s.documentId), signals.map((s) => s.kind), signals.map((s) => s.value), signals.map((s) => s.weight), signals.map((s) => s.at)],
        );
      },
      async existingDocuments(ids) {
        const { rows } = await tx.query<{ id: string }>(`SELECT d.id FROM ${ctx.s}.documents d WHERE d.tenant_id = $1 AND d.id = ANY($2::text[])`, [tenantId, [...ids]]);
        return new Set(rows.map((r) => r.id));
      },
      async models() {
        if (onlyModel) return [onlyModel];
        const s = await servingState(ctx, tx);
        return [s.current, s.next, s.previous].filter((m): m is NonNullable<typeof m> => m !== undefined);
      },
      async documentVectors(ids, model) {
        return documentVectors(ctx, tx, tenantId, ids, await keyOf(model));
      },
      async putTaste(model, vector, signals) {
        const table = tasteTable(ctx.s, await keyOf(model));
        if (!vector) {
          await tx.query(`DELETE FROM ${table} t WHERE t.tenant_id = $1 AND t.user_id = $2`, [tenantId, userId]);
          return;
        }
        await tx.query(
          `INSERT INTO ${table} (tenant_id, user_id, embedding, signals) VALUES ($1, $2, $3::vector, $4)
           ON CONFLICT (tenant_id, user_id) DO UPDATE SET embedding = EXCLUDED.embedding, signals = EXCLUDED.signals, updated_at = now()`,
          [tenantId, userId, toVectorLiteral(vector, model.dimensions, 'taste vector'), signals],
        );
      },
    };
    return fn(u);
  });
}

/** Removes every signal and taste of a user, in every model's table. */
export async function forgetUser(ctx: StoreContext, tenantId: string, userId: string): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    let removed = (await tx.query(`DELETE FROM ${ctx.s}.interactions i WHERE i.tenant_id = $1 AND i.user_id = $2`, [tenantId, userId])).rowCount;
    for (const m of await listModels(ctx, tx)) {
      removed += (await tx.query(`DELETE FROM ${tasteTable(ctx.s, m.key)} t WHERE t.tenant_id = $1 AND t.user_id = $2`, [tenantId, userId])).rowCount;
    }
    return removed;
  });
}

export async function interactedDocuments(ctx: StoreContext, tenantId: string, userId: string): Promise<Set<string>> {
  const { rows } = await ctx.db.query<{ doc_id: string }>(
    `SELECT DISTINCT i.doc_id FROM ${ctx.s}.interactions i WHERE i.tenant_id = $1 AND i.user_id = $2`,
    [tenantId, userId],
  );
  return new Set(rows.map((r) => r.doc_id));
}

/** Exact nearest tastes within the tenant (a tenant's users are few enough to scan). */
export async function nearestUsers(ctx: StoreContext, tenantId: string, vector: readonly number[], model: ModelRef, modelKey: number, k: number, excludeUserId: string): Promise<NearestUser[]> {
  const { rows } = await ctx.db.query<{ user_id: string; score: number; signals: number }>(
    `SELECT t.user_id, (1 - (t.embedding <=> $2::vector))::float8 AS score, t.signals
       FROM ${tasteTable(ctx.s, modelKey)} t
      WHERE t.tenant_id = $1 AND t.user_id <> $3
      ORDER BY t.embedding <=> $2::vector, t.user_id
      LIMIT $4`,
    [tenantId, toVectorLiteral(vector, model.dimensions, 'taste vector'), excludeUserId, k],
  );
  return rows.map((r) => ({ userId: r.user_id, score: Number(r.score), signals: Number(r.signals) }));
}

/** Users with signals after a cursor, across tenants: rebuilding tastes in a new model visits them all. */
export async function usersWithSignals(ctx: StoreContext, after: { tenantId: string; userId: string } | undefined, limit: number) {
  const { rows } = await ctx.db.query<{ tenant_id: string; user_id: string }>(
    `SELECT DISTINCT i.tenant_id, i.user_id FROM ${ctx.s}.interactions i
      WHERE $1::text IS NULL OR (i.tenant_id, i.user_id) > ($1::text, $2::text)
      ORDER BY 1, 2 LIMIT $3`,
    [after?.tenantId ?? null, after?.userId ?? null, limit],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, userId: r.user_id }));
}
