import type { Passage } from '../passages/chunker.js';
import type { Queryable } from './db.js';
import { docKey, type NormalizedDocument } from './document-input.js';
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
  /** pgvector text form, or null to store the passage as pending. */
  embedding: string | null;
}

/**
 * Inserts passages with their keyword index (text-index.ts: the document
 * title as weight A and the chunk as weight B, both in the document's text
 * search configuration, bound as a parameter and cast to regconfig). The
 * title is read from the document row written earlier in the same
 * transaction.
 */
export async function insertPassages(ctx: StoreContext, tx: Queryable, rows: readonly PassageRow[], fingerprint: string | null): Promise<void> {
  for (const batch of batches(rows, PASSAGE_ROWS_PER_STATEMENT)) {
    await tx.query(
      `INSERT INTO ${ctx.s}.passages AS p
              (tenant_id, doc_id, idx, content, char_start, char_end, ts_config, tsv, embedding, fingerprint, embedded_at)
       SELECT r.tenant_id, r.doc_id, r.idx, r.content, r.char_start, r.char_end, r.cfg::regconfig,
              ${passageTsvectorSql(ctx.s, 'r.cfg::regconfig', 'd.title', 'r.content')},
              r.embedding::vector,
              CASE WHEN r.embedding IS NULL THEN NULL ELSE $9::text END,
              CASE WHEN r.embedding IS NULL THEN NULL ELSE now() END
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[])
              AS r(tenant_id, doc_id, idx, content, char_start, char_end, cfg, embedding)
         JOIN ${ctx.s}.documents d ON d.tenant_id = r.tenant_id AND d.id = r.doc_id
       ON CONFLICT (tenant_id, doc_id, idx) DO UPDATE SET
         content = EXCLUDED.content,
         char_start = EXCLUDED.char_start,
         char_end = EXCLUDED.char_end,
         ts_config = EXCLUDED.ts_config,
         tsv = EXCLUDED.tsv,
         embedding = EXCLUDED.embedding,
         fingerprint = EXCLUDED.fingerprint,
         embedded_at = EXCLUDED.embedded_at,
         claim_expires_at = NULL`,
      [
        batch.map((r) => r.doc.tenantId),
        batch.map((r) => r.doc.id),
        batch.map((r) => r.passage.index),
        batch.map((r) => r.passage.content),
        batch.map((r) => r.passage.charStart),
        batch.map((r) => r.passage.charEnd),
        batch.map((r) => r.doc.tsConfig),
        batch.map((r) => r.embedding),
        fingerprint,
      ],
    );
  }
}
