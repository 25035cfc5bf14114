import { failedPrecondition, invalidArgument } from '../../../../shared/errors.js';

/**
 * Per-model tables are named by the model's integer key from the models
 * table (`vectors_3`, `tastes_3`): identifiers built from a number this
 * store generated, checked to be a positive safe integer before it is
 * interpolated — the same allowlist rule as the schema name.
 */
export function modelKeyOf(key: number): number {
  if (!Number.isSafeInteger(key) || key < 1) throw invalidArgument(`model key must be a positive integer (got ${key})`, 'invalid_model_key');
  return key;
}

export function vectorTable(s: string, key: number): string {
  return `${s}.vectors_${modelKeyOf(key)}`;
}

export function tasteTable(s: string, key: number): string {
  return `${s}.tastes_${modelKeyOf(key)}`;
}

/** The widest vector pgvector can index with HNSW. */
export const MAX_INDEXED_DIMENSIONS = 2000;

/**
 * DDL for one model's tables: its passage vectors (each row tied to a
 * passage, so replacing or deleting a passage drops its vectors) and its
 * users' taste vectors. `dims` comes from the embedder's fingerprint: the
 * column is typed, so a vector of another width cannot be stored by mistake.
 */
export interface HnswParams {
  m: number;
  efConstruction: number;
}

/** A model wider than HNSW can index is a deployment mistake: say so before anything is written. */
export function assertIndexableWidth(dims: number): number {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_INDEXED_DIMENSIONS) {
    throw failedPrecondition(
      `the embedder's model has ${dims} dimensions; pgvector's HNSW indexes 1..${MAX_INDEXED_DIMENSIONS} (use a narrower model, or a halfvec build)`,
      'model_too_wide',
    );
  }
  return dims;
}

export function modelTableStatements(s: string, key: number, dims: number, hnsw: HnswParams = { m: 16, efConstruction: 64 }): string[] {
  assertIndexableWidth(dims);
  const v = vectorTable(s, key);
  const t = tasteTable(s, key);
  return [
    `CREATE TABLE IF NOT EXISTS ${v} (
       tenant_id   text        NOT NULL,
       doc_id      text        NOT NULL,
       idx         integer     NOT NULL,
       tenant_key  integer     NOT NULL,
       embedding   vector(${dims}) NOT NULL,
       embedded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (tenant_id, doc_id, idx),
       FOREIGN KEY (tenant_id, doc_id, idx) REFERENCES ${s}.passages (tenant_id, doc_id, idx) ON DELETE CASCADE
     )`,
    `CREATE INDEX IF NOT EXISTS vectors_${key}_hnsw_idx ON ${v}
       USING hnsw (embedding vector_cosine_ops) WITH (m = ${Math.trunc(hnsw.m)}, ef_construction = ${Math.trunc(hnsw.efConstruction)})`,
    `CREATE INDEX IF NOT EXISTS vectors_${key}_tenant_idx ON ${v} (tenant_key)`,
    `CREATE TABLE IF NOT EXISTS ${t} (
       tenant_id  text        NOT NULL,
       user_id    text        NOT NULL,
       embedding  vector(${dims}) NOT NULL,
       signals    integer     NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (tenant_id, user_id)
     )`,
  ];
}
