import { invalidArgument } from '../../../../shared/errors.js';
import { assertDocumentId, assertTenantId } from '../core/ids.js';
import { logger } from '../../../../shared/logger.js';
import { chunkDocument } from '../passages/chunker.js';
import { docKey, normalizeBatch, type DocumentInput, type NormalizedDocument } from './document-input.js';
import { classify, knownFingerprint, loadStoredState } from './document-state.js';
import type { StoreContext } from './store-context.js';
import { deletePassagesOf, insertPassages, writeDocumentRows, type PassageRow } from './upsert-write.js';
import { isRefused, refusalReason, type PassageOutcome } from './passage-outcome.js';
import { assertNonZero, toVectorLiteral } from './vector-codec.js';

const log = logger.child({ component: 'search-store' });

export interface UpsertOptions {
  /**
   * Fingerprint of the embedder model. Required when `embeddings` are given
   * (it is stored with them); null/empty when the embedder was never reached,
   * in which case any embedded passage counts as current.
   */
  fingerprint?: string | null;
  /**
   * Passage vectors per document, aligned with the input array: embeddings[i]
   * holds one outcome per passage of docs[i] (the passages planUpsert
   * returned): its vector, or the embedder's refusal (the passage is set
   * aside). Missing/undefined for a document: its passages are stored
   * without vectors (pending; keyword-searchable, embedded by the backfill).
   */
  embeddings?: ReadonlyArray<readonly PassageOutcome[] | null | undefined>;
}

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Documents left with passages awaiting an embedding (a subset of the three counts above). */
  pending: number;
  /** Passages written set aside because the embedder refused them. */
  failedPassages: number;
  /** Per document, in input order. */
  outcomes: { tenantId: string; id: string; outcome: UpsertOutcome; pending: boolean }[];
}

/**
 * Stores a batch in one transaction. Per document (content_sha256 over
 * locale + title + content, see document-input.ts):
 * - new or content changed → row written, passages replaced (with the given
 *   vectors, else pending);
 * - same content, every passage embedded with the current fingerprint → no
 *   passage is touched ("unchanged"; "updated" if only metadata/source_type
 *   changed, which rewrites the row alone);
 * - same content but passages pending or stale → replaced when vectors are
 *   given ("updated"), else left as they are (existing vectors of an older
 *   model stay searchable until the backfill replaces them).
 */
export async function upsertDocuments(ctx: StoreContext, input: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
  const docs = normalizeBatch(input);
  const fingerprint = knownFingerprint(options.fingerprint);
  const embeddings = options.embeddings ?? [];
  if (embeddings.length > docs.length) throw invalidArgument('more embedding lists than documents', 'embeddings_misaligned');
  if (fingerprint === null && embeddings.some((e) => e)) {
    throw invalidArgument('a fingerprint is required to store embeddings', 'missing_fingerprint');
  }
  const started = performance.now();
  const result = await ctx.db.transaction(async (tx) => {
    const state = await loadStoredState(ctx, tx, docs, fingerprint, true);
    const rows: NormalizedDocument[] = [];
    const replaced: NormalizedDocument[] = [];
    const written: { index: number; doc: NormalizedDocument }[] = [];
    const passages: PassageRow[] = [];
    const out: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, pending: 0, failedPassages: 0, outcomes: [] };

    docs.forEach((doc, i) => {
      const stored = state.get(docKey(doc.tenantId, doc.id));
      const c = classify(doc, stored);
      const vectors = embeddings[i] ?? undefined;
      let outcome: UpsertOutcome;
      let pending: boolean;
      if (c.kind !== 'same' || (c.needsEmbedding && vectors)) {
        const chunks = chunkDocument(doc, ctx.chunker).passages;
        if (vectors && vectors.length !== chunks.length) {
          throw invalidArgument(`document ${i} has ${chunks.length} passages but ${vectors.length} embeddings`, 'embeddings_misaligned');
        }
        rows.push(doc);
        replaced.push(doc);
        written.push({ index: i, doc });
        chunks.forEach((passage, p) => {
          const outcome = vectors?.[p];
          if (outcome && isRefused(outcome)) {
            out.failedPassages++;
            passages.push({ doc, passage, embedding: null, embedError: refusalReason(outcome) });
            return;
          }
          const embedding = outcome ? toVectorLiteral(assertNonZero(outcome, 'passage embedding'), ctx.dims, 'passage embedding') : null;
          passages.push({ doc, passage, embedding, embedError: null });
        });
        outcome = c.kind === 'new' ? 'inserted' : 'updated';
        pending = !vectors;
      } else {
        if (c.rowChanged) {
          rows.push(doc);
          written.push({ index: i, doc });
        }
        outcome = c.rowChanged ? 'updated' : 'unchanged';
        pending = (stored?.pending ?? 0) > 0;
      }
      if (pending) out.pending++;
      out.outcomes.push({ tenantId: doc.tenantId, id: doc.id, outcome, pending });
    });

    // Write in key order: concurrent batches with overlapping new documents then
    // wait on each other in one order instead of deadlocking.
    rows.sort(byKey);
    replaced.sort(byKey);
    passages.sort((a, b) => byKey(a.doc, b.doc) || a.passage.index - b.passage.index);
    const inserted = await writeDocumentRows(ctx, tx, rows);
    // Also for documents read as new: a concurrent batch may have inserted them
    // (with other passages) after our read; the row lock is ours now.
    await deletePassagesOf(ctx, tx, replaced);
    await insertPassages(ctx, tx, passages, fingerprint);
    for (const { index, doc } of written) {
      out.outcomes[index].outcome = inserted.has(docKey(doc.tenantId, doc.id)) ? 'inserted' : 'updated';
    }
    for (const o of out.outcomes) out[o.outcome]++;
    return out;
  });
  log.debug(
    {
      documents: docs.length,
      inserted: result.inserted,
      updated: result.updated,
      unchanged: result.unchanged,
      pending: result.pending,
      tookMs: Math.round(performance.now() - started),
    },
    'documents upserted',
  );
  return result;
}

/** Deletes the tenant's documents with these ids (passages cascade). Returns how many existed. */
export async function deleteDocuments(ctx: StoreContext, tenantId: string, ids: readonly string[]): Promise<number> {
  assertTenantId(tenantId);
  ids.forEach((id, i) => assertDocumentId(id, `ids[${i}]`));
  if (ids.length === 0) return 0;
  const { rowCount } = await ctx.db.query(`DELETE FROM ${ctx.s}.documents WHERE tenant_id = $1 AND id = ANY($2::text[])`, [
    tenantId,
    [...new Set(ids)],
  ]);
  return rowCount;
}

function byKey(a: { tenantId: string; id: string }, b: { tenantId: string; id: string }): number {
  if (a.tenantId !== b.tenantId) return a.tenantId < b.tenantId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface StoredDocument {
  document: Required<DocumentInput> & { metadata: Record<string, string> };
  createdAt: Date;
  updatedAt: Date;
  contentSha256: string;
  passageCount: number;
  /** Passages waiting for an embedding (not counting those set aside). */
  pendingPassages: number;
  /** Passages the embedder refused, set aside until the content changes. */
  failedPassages: number;
  passageFailures: { index: number; reason: string; failedAt: Date }[];
}

interface DocumentRow {
  tenant_id: string;
  id: string;
  locale: string;
  source_type: string;
  title: string;
  content: string;
  metadata: Record<string, string>;
  content_sha256: string;
  created_at: Date | string;
  updated_at: Date | string;
  passage_count: number;
  pending_passages: number;
  failures: { idx: number; reason: string; failed_at: string }[] | string | null;
}

/** The tenant's document, or null when the tenant has none with this id. */
export async function getDocument(ctx: StoreContext, tenantId: string, id: string): Promise<StoredDocument | null> {
  assertTenantId(tenantId);
  assertDocumentId(id);
  const { rows } = await ctx.db.query<DocumentRow>(
    `SELECT d.tenant_id, d.id, d.locale, d.source_type, d.title, d.content, d.metadata, d.content_sha256,
            d.created_at, d.updated_at,
            (SELECT count(*) FROM ${ctx.s}.passages p WHERE p.tenant_id = d.tenant_id AND p.doc_id = d.id)::int AS passage_count,
            (SELECT count(*) FROM ${ctx.s}.passages p
              WHERE p.tenant_id = d.tenant_id AND p.doc_id = d.id AND p.embedding IS NULL AND p.embed_error IS NULL)::int AS pending_passages,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('idx', p.idx, 'reason', p.embed_error, 'failed_at', p.embed_failed_at) ORDER BY p.idx), '[]'::jsonb)
               FROM ${ctx.s}.passages p
              WHERE p.tenant_id = d.tenant_id AND p.doc_id = d.id AND p.embed_error IS NOT NULL) AS failures
       FROM ${ctx.s}.documents d
      WHERE d.tenant_id = $1 AND d.id = $2`,
    [tenantId, id],
  );
  const r = rows[0];
  if (!r) return null;
  const failures = (typeof r.failures === 'string' ? JSON.parse(r.failures) : (r.failures ?? [])) as { idx: number; reason: string; failed_at: string }[];
  return {
    document: {
      tenantId: r.tenant_id,
      id: r.id,
      locale: r.locale,
      sourceType: r.source_type,
      title: r.title,
      content: r.content,
      metadata: r.metadata ?? {},
    },
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    contentSha256: r.content_sha256,
    passageCount: Number(r.passage_count),
    pendingPassages: Number(r.pending_passages),
    failedPassages: failures.length,
    passageFailures: failures.map((f) => ({ index: Number(f.idx), reason: f.reason, failedAt: new Date(f.failed_at) })),
  };
}
