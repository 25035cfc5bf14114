import type { Passage } from '../passages/chunker.js';
import type { Queryable } from './db.js';
import { docKey, type NormalizedDocument } from './document-input.js';
import { vectorTable } from './model-tables.js';
import type { StoreContext } from './store-context.js';
import { passageTsvectorSql } from './text-index.js';

/** Rows per multi-row statement; bounds the size of one bind message. */
const DOCUMENT_ROWS_PER_STATEMENT = 200;
const PASSAGE_ROWS_PER_STATEMENT = 500;

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Inserts or overwrites document rows; created_at survives an overwrite,
 * updated_at moves. Returns the keys (docKey) that were really inserted
 * (`xmax = 0`), which under concurrency can differ from what was read before.
 */
export async function writeDocumentRows(ctx: StoreContext, tx: Queryable, docs: readonly NormalizedDocument[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const batch of batches(docs, DOCUMENT_ROWS_PER_STATEMENT)) {
    const { rows } = await tx.query<{ tenant_id: string; id: string; inserted: boolean }>(
      `INSERT INTO ${ctx.s}.documents AS d (tenant_id, id, locale, source_type, title, content, metadata, content_sha256)
       SELECT r.tenant_id, r.id, r.locale, r.source_type, r.title, r.content, r.metadata::jsonb, r.content_sha256
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
              AS r(tenant_id, id, locale, source_type, title, content, metadata, content_sha256)
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         locale = EXCLUDED.locale,
         source_type = EXCLUDED.source_type,
         title = EXCLUDED.title,
         content = EXCLUDED.content,
         metadata = EXCLUDED.metadata,
         content_sha256 = EXCLUDED.content_sha256,
         updated_at = now()
       RETURNING d.tenant_id, d.id, (d.xmax = 0) AS inserted`,
      [
        batch.map((d) => d.tenantId),
        batch.map((d) => d.id),
        batch.map((d) => d.locale),
        batch.map((d) => d.sourceType),
        batch.map((d) => d.title),
        batch.map((d) => d.content),
        batch.map((d) => JSON.stringify(d.metadata)),
        batch.map((d) => d.contentSha256),
      ],
    );
    for (const r of rows) if (r.inserted) inserted.add(docKey(r.tenant_id, r.id));
  }
  return inserted;
}

export async function deletePassagesOf(ctx: StoreContext, tx: Queryable, docs: readonly { tenantId: string; id: string }[]): Promise<void> {
  for (const batch of batches(docs, DOCUMENT_ROWS_PER_STATEMENT)) {
    await tx.query(
      `DELETE FROM ${ctx.s}.passages p
        USING unnest($1::text[], $2::text[]) AS k(tenant_id, id)
        WHERE p.tenant_id = k.tenant_id AND p.doc_id = k.id`,
      [batch.map((d) => d.tenantId), batch.map((d) => d.id)],
    );
  }
}

export interface PassageRow {
  doc: NormalizedDocument;
  passage: Passage;
}

/**
 * Inserts passages with their keyword index (text-index.ts: the document
 * title as weight A and the chunk as weight B, both in the document's text
 * search configuration, bound as a parameter and cast to regconfig). The
 * title is read from the document row written earlier in the same
 * transaction. Vectors live in the per-model tables (insertVectors); a
 * replaced passage's vectors and jobs go with it (ON DELETE CASCADE), since
 * they describe its old content.
 */
export async function insertPassages(ctx: StoreContext, tx: Queryable, rows: readonly PassageRow[]): Promise<void> {
  for (const batch of batches(rows, PASSAGE_ROWS_PER_STATEMENT)) {
    await tx.query(
      `INSERT INTO ${ctx.s}.passages AS p (tenant_id, doc_id, idx, content, char_start, char_end, ts_config, tsv)
       SELECT r.tenant_id, r.doc_id, r.idx, r.content, r.char_start, r.char_end, r.cfg::regconfig,
              ${passageTsvectorSql(ctx.s, 'r.cfg::regconfig', 'd.title', 'r.content')}
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[])
              AS r(tenant_id, doc_id, idx, content, char_start, char_end, cfg)
         JOIN ${ctx.s}.documents d ON d.tenant_id = r.tenant_id AND d.id = r.doc_id`,
      [
        batch.map((r) => r.doc.tenantId),
        batch.map((r) => r.doc.id),
        batch.map((r) => r.passage.index),
        batch.map((r) => r.passage.content),
        batch.map((r) => r.passage.charStart),
        batch.map((r) => r.passage.charEnd),
        batch.map((r) => r.doc.tsConfig),
      ],
    );
  }
}

export interface PassageKey {
  tenantId: string;
  docId: string;
  index: number;
}

export interface VectorRow extends PassageKey {
  tenantKey: number;
  /** pgvector text form (vector-codec.ts). */
  literal: string;
}

/**
 * Stores passages' vectors of one model and removes their jobs for it. A
 * vector for a passage that no longer exists is dropped (the join): its
 * document was replaced or deleted since it was embedded.
 */
export async function insertVectors(ctx: StoreContext, tx: Queryable, modelKey: number, rows: readonly VectorRow[]): Promise<number> {
  let stored = 0;
  for (const batch of batches(rows, PASSAGE_ROWS_PER_STATEMENT)) {
    const keys = [batch.map((r) => r.tenantId), batch.map((r) => r.docId), batch.map((r) => r.index)];
    const { rowCount } = await tx.query(
      `INSERT INTO ${vectorTable(ctx.s, modelKey)} (tenant_id, doc_id, idx, tenant_key, embedding)
       SELECT r.tenant_id, r.doc_id, r.idx, r.tenant_key, r.embedding::vector
         FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[]) AS r(tenant_id, doc_id, idx, tenant_key, embedding)
         JOIN ${ctx.s}.passages p ON p.tenant_id = r.tenant_id AND p.doc_id = r.doc_id AND p.idx = r.idx
       ON CONFLICT (tenant_id, doc_id, idx) DO UPDATE SET embedding = EXCLUDED.embedding, tenant_key = EXCLUDED.tenant_key, embedded_at = now()`,
      [...keys, batch.map((r) => r.tenantKey), batch.map((r) => r.literal)],
    );
    stored += rowCount;
    await deleteJobs(ctx, tx, modelKey, batch);
  }
  return stored;
}

/**
 * Queues passages for a model: pending (failedReason null: the backfill
 * embeds them) or set aside (the embedder refused them; retried when their
 * content changes, which replaces the passage and its job).
 */
export async function insertJobs(
  ctx: StoreContext,
  tx: Queryable,
  modelKey: number,
  rows: readonly (PassageKey & { failedReason: string | null })[],
): Promise<void> {
  for (const batch of batches(rows, PASSAGE_ROWS_PER_STATEMENT)) {
    await tx.query(
      `INSERT INTO ${ctx.s}.embed_jobs (model, tenant_id, doc_id, idx, failed_reason, failed_at)
       SELECT $1::int, r.tenant_id, r.doc_id, r.idx, r.failed_reason, CASE WHEN r.failed_reason IS NULL THEN NULL ELSE now() END
         FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS r(tenant_id, doc_id, idx, failed_reason)
       ON CONFLICT (model, tenant_id, doc_id, idx) DO UPDATE SET
         failed_reason = EXCLUDED.failed_reason, failed_at = EXCLUDED.failed_at, claim_expires_at = NULL`,
      [modelKey, batch.map((r) => r.tenantId), batch.map((r) => r.docId), batch.map((r) => r.index), batch.map((r) => r.failedReason)],
    );
  }
}

export async function deleteJobs(ctx: StoreContext, tx: Queryable, modelKey: number, rows: readonly PassageKey[]): Promise<void> {
  for (const batch of batches(rows, PASSAGE_ROWS_PER_STATEMENT)) {
    await tx.query(
      `DELETE FROM ${ctx.s}.embed_jobs j
        USING unnest($2::text[], $3::text[], $4::int[]) AS r(tenant_id, doc_id, idx)
        WHERE j.model = $1 AND j.tenant_id = r.tenant_id AND j.doc_id = r.doc_id AND j.idx = r.idx`,
      [modelKey, batch.map((r) => r.tenantId), batch.map((r) => r.docId), batch.map((r) => r.index)],
    );
  }
}
