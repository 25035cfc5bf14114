import { failedPrecondition } from '../../../../shared/errors.js';
import type { Queryable } from './db.js';
import { assertIndexableWidth, modelTableStatements, tasteTable, vectorTable, type HnswParams } from './model-tables.js';
import type { StoreContext } from './store-context.js';

/** A model whose vectors the store keeps, as registered from an embedder's fingerprint. */
export interface ModelRow {
  /** Small integer naming its tables (vectors_<key>, tastes_<key>). */
  key: number;
  digest: string;
  modelId: string;
  profile: string;
  dimensions: number;
  fixture: boolean;
}

/** Which model serves queries, which is being built, which served before. One row, shared by every replica. */
export interface ServingState {
  current: ModelRow | undefined;
  next: ModelRow | undefined;
  previous: ModelRow | undefined;
  /** False after a rollback: the next model then waits for an explicit cutover. */
  autoCutover: boolean;
  /** Bumped by every change; a replica compares it to notice a cutover or rollback. */
  generation: number;
}

interface ModelDbRow {
  key: number;
  digest: string;
  model_id: string;
  profile: string;
  dimensions: number;
  fixture: boolean;
}

const toModel = (r: ModelDbRow): ModelRow => ({
  key: Number(r.key),
  digest: r.digest,
  modelId: r.model_id,
  profile: r.profile,
  dimensions: Number(r.dimensions),
  fixture: Boolean(r.fixture),
});

export async function listModels(ctx: StoreContext, q: Queryable = ctx.db): Promise<ModelRow[]> {
  const { rows } = await q.query<ModelDbRow>(`SELECT key, digest, model_id, profile, dimensions, fixture FROM ${ctx.s}.models ORDER BY key`);
  return rows.map(toModel);
}

/**
 * The model's row, registering it (and creating its tables) the first time
 * a fingerprint is seen. Safe with concurrent replicas: creation holds a
 * transaction-scoped advisory lock per schema. A known digest whose width
 * differs is refused: a digest names exactly one model.
 */
export async function registerModel(ctx: StoreContext, m: Omit<ModelRow, 'key'>): Promise<ModelRow> {
  assertIndexableWidth(m.dimensions);
  return ctx.db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`polysearch:models:${ctx.schema}`]);
    const found = await tx.query<ModelDbRow>(
      `SELECT key, digest, model_id, profile, dimensions, fixture FROM ${ctx.s}.models WHERE digest = $1`,
      [m.digest],
    );
    if (found.rows[0]) {
      const known = toModel(found.rows[0]);
      if (known.dimensions !== m.dimensions) {
        throw failedPrecondition(`model ${m.digest} was registered with ${known.dimensions} dimensions, now reports ${m.dimensions}`, 'model_width_changed');
      }
      // A model migrated from an older schema knew only its digest and width.
      if ((known.modelId === '' && m.modelId) || (known.profile === '' && m.profile)) {
        await tx.query(`UPDATE ${ctx.s}.models SET model_id = $2, profile = $3, fixture = $4 WHERE key = $1`, [known.key, m.modelId, m.profile, m.fixture]);
        return { ...known, modelId: m.modelId, profile: m.profile, fixture: m.fixture };
      }
      return known;
    }
    const { rows } = await tx.query<ModelDbRow>(
      `INSERT INTO ${ctx.s}.models (digest, model_id, profile, dimensions, fixture) VALUES ($1, $2, $3, $4, $5)
       RETURNING key, digest, model_id, profile, dimensions, fixture`,
      [m.digest, m.modelId, m.profile, m.dimensions, m.fixture],
    );
    const model = toModel(rows[0]);
    const hnsw: HnswParams = { m: ctx.hnswM ?? 16, efConstruction: ctx.hnswEfConstruction ?? 64 };
    for (const statement of modelTableStatements(ctx.s, model.key, model.dimensions, hnsw)) await tx.query(statement);
    return model;
  });
}

export async function servingState(ctx: StoreContext, q: Queryable = ctx.db): Promise<ServingState> {
  const models = new Map((await listModels(ctx, q)).map((m) => [m.key, m]));
  const { rows } = await q.query<{ current_model: number | null; next_model: number | null; previous_model: number | null; auto_cutover: boolean; generation: number }>(
    `SELECT current_model, next_model, previous_model, auto_cutover, generation FROM ${ctx.s}.serving`,
  );
  const r = rows[0];
  const pick = (key: number | null | undefined) => (key === null || key === undefined ? undefined : models.get(Number(key)));
  return {
    current: pick(r?.current_model),
    next: pick(r?.next_model),
    previous: pick(r?.previous_model),
    autoCutover: r?.auto_cutover ?? true,
    generation: Number(r?.generation ?? 0),
  };
}

export interface ServingChange {
  current: number | null;
  next: number | null;
  previous: number | null;
  autoCutover: boolean;
}

/**
 * Compare-and-set of the serving row: applies only if nobody changed it
 * since `expectGeneration` was read, so two replicas (or an operator and a
 * replica) cannot both cut over. Returns false when it lost the race.
 */
export async function setServing(ctx: StoreContext, expectGeneration: number, change: ServingChange): Promise<boolean> {
  const { rowCount } = await ctx.db.query(
    `UPDATE ${ctx.s}.serving
        SET current_model = $2, next_model = $3, previous_model = $4, auto_cutover = $5, generation = generation + 1, changed_at = now()
      WHERE generation = $1`,
    [expectGeneration, change.current, change.next, change.previous, change.autoCutover],
  );
  return rowCount === 1;
}

/**
 * Queues every passage that has neither a vector of this model nor a job
 * for it. Run when a model becomes current or next; idempotent. Returns the
 * jobs added.
 */
export async function enqueueMissing(ctx: StoreContext, modelKey: number): Promise<number> {
  const { rowCount } = await ctx.db.query(
    `INSERT INTO ${ctx.s}.embed_jobs (model, tenant_id, doc_id, idx)
     SELECT $1::int, p.tenant_id, p.doc_id, p.idx
       FROM ${ctx.s}.passages p
      WHERE NOT EXISTS (SELECT 1 FROM ${vectorTable(ctx.s, modelKey)} v
                         WHERE v.tenant_id = p.tenant_id AND v.doc_id = p.doc_id AND v.idx = p.idx)
     ON CONFLICT DO NOTHING`,
    [modelKey],
  );
  return rowCount;
}

/** Drops a model's tables and its registration (its jobs cascade). The caller checks it is not in use. */
export async function dropModel(ctx: StoreContext, modelKey: number): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`polysearch:models:${ctx.schema}`]);
    const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${vectorTable(ctx.s, modelKey)}`);
    await tx.query(`DROP TABLE IF EXISTS ${vectorTable(ctx.s, modelKey)}`);
    await tx.query(`DROP TABLE IF EXISTS ${tasteTable(ctx.s, modelKey)}`);
    await tx.query(`DELETE FROM ${ctx.s}.models WHERE key = $1`, [modelKey]);
    return Number(rows[0]?.n ?? 0);
  });
}
