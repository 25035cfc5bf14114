import { invalidArgument } from '../../../../shared/errors.js';
import { assertDocumentId, assertTenantId } from '../core/ids.js';
import { logger } from '../../../../shared/logger.js';
import { chunkDocument } from '../passages/chunker.js';
import { docKey, normalizeBatch, type DocumentInput, type NormalizedDocument } from './document-input.js';
import { classify, loadStoredState } from './document-state.js';
import type { StoreContext } from './store-context.js';
import { vectorTable } from './model-tables.js';
import { tenantKeys } from './tenants.js';
import { deletePassagesOf, insertJobs, insertPassages, insertVectors, writeDocumentRows, type PassageKey, type PassageRow, type VectorRow } from './upsert-write.js';
import { isRefused, refusalReason, type PassageOutcome } from './passage-outcome.js';
import { assertNonZero, toVectorLiteral } from './vector-codec.js';

const log = logger.child({ component: 'search-store' });

export interface UpsertOptions {
  /**
   * The current model: passages without a vector of it are queued for it
   * (pending). Null or absent while no model is known (the embedder was
   * never reached): passages are written and wait for the first model.
   */
  model?: { key: number; dimensions: number } | null;
  /**
   * Vectors of the current model per document, aligned with the input array:
   * embeddings[i] holds one outcome per passage of docs[i] (the passages
   * planUpsert returned): its vector, or the embedder's refusal (the passage
   * is set aside for that model). Missing for a document: its passages are
   * pending (keyword-searchable, embedded by the backfill).
   */
  embeddings?: ReadonlyArray<readonly PassageOutcome[] | null | undefined>;
  /** Other models whose vectors are kept (a rotation's next, a previous one): written passages are queued for them too. */
  alsoQueueFor?: readonly number[];
}

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Documents left with passages awaiting a vector of the current model (a subset of the three counts above). */
  pending: number;
  /** Passages written set aside because the embedder refused them. */
  failedPassages: number;
  /** Per document, in input order. */
  outcomes: { tenantId: string; id: string; outcome: UpsertOutcome; pending: boolean }[];
}

/**
 * Stores a batch in one transaction. Per document (content_sha256 over
 * locale + title + content, see document-input.ts):
 * - new or content changed → row written, passages replaced (their old
 *   vectors and jobs go with them), the given vectors stored for the current
 *   model, the rest queued for it, and every passage queued for the other
 *   kept models;
 * - same content → passages untouched ("unchanged"; "updated" if only
 *   metadata/source_type changed, which rewrites the row alone); vectors
 *   given for passages still pending are stored.
 */
export async function upsertDocuments(ctx: StoreContext, input: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
  const docs = normalizeBatch(input);
  const model = options.model ?? null;
  const embeddings = options.embeddings ?? [];
  if (embeddings.length > docs.length) throw invalidArgument('more embedding lists than documents', 'embeddings_misaligned');
  if (model === null && embeddings.some((e) => e)) throw invalidArgument('vectors need the model they belong to', 'missing_model');
  const started = performance.now();
  const result = await ctx.db.transaction(async (tx) => {
    const state = await loadStoredState(ctx, tx, docs, model?.key ?? null, true);
    const rows: NormalizedDocument[] = [];
    const replaced: NormalizedDocument[] = [];
    const written: { index: number; doc: NormalizedDocument }[] = [];
    const passages: PassageRow[] = [];
    const vectors: Omit<VectorRow, 'tenantKey'>[] = [];
    const jobs: (PassageKey & { failedReason: string | null })[] = [];
    const queuedElsewhere: PassageKey[] = [];
    const out: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, pending: 0, failedPassages: 0, outcomes: [] };

    docs.forEach((doc, i) => {
      const stored = state.get(docKey(doc.tenantId, doc.id));
      const c = classify(doc, stored);
      const given = embeddings[i] ?? undefined;
      const replace = c.kind !== 'same';
      let pending = false;
      if (replace || (c.needsEmbedding && given)) {
        const chunks = chunkDocument(doc, ctx.chunker).passages;
        if (given && given.length !== chunks.length) {
          throw invalidArgument(`document ${i} has ${chunks.length} passages but ${given.length} embeddings`, 'embeddings_misaligned');
        }
        chunks.forEach((passage, p) => {
          const key = { tenantId: doc.tenantId, docId: doc.id, index: passage.index };
          if (replace) {
            passages.push({ doc, passage });
            queuedElsewhere.push(key);
          }
          const outcome = given?.[p];
          if (outcome && isRefused(outcome)) {
            out.failedPassages++;
            jobs.push({ ...key, failedReason: refusalReason(outcome) });
          } else if (outcome) {
            vectors.push({ ...key, literal: toVectorLiteral(assertNonZero(outcome, 'passage embedding'), model!.dimensions, 'passage embedding') });
          } else {
            pending = true;
            if (model && replace) jobs.push({ ...key, failedReason: null });
          }
        });
      } else {
        pending = (stored?.pending ?? 0) > 0;
      }
      if (replace || c.rowChanged) {
        rows.push(doc);
        written.push({ index: i, doc });
      }
      if (pending) out.pending++;
      // Vectors stored for passages that were pending count as an update too.
      const changed = replace || c.rowChanged || (c.needsEmbedding && given !== undefined);
      out.outcomes.push({ tenantId: doc.tenantId, id: doc.id, outcome: c.kind === 'new' ? 'inserted' : changed ? 'updated' : 'unchanged', pending });
      if (replace) replaced.push(doc);
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
    await insertPassages(ctx, tx, passages);
    if (model) {
      const keys = await tenantKeys(ctx, tx, vectors.map((v) => v.tenantId));
      await insertVectors(ctx, tx, model.key, vectors.map((v) => ({ ...v, tenantKey: keys.get(v.tenantId)! })));
      await insertJobs(ctx, tx, model.key, jobs);
    }
    for (const other of options.alsoQueueFor ?? []) {
      if (other !== model?.key) await insertJobs(ctx, tx, other, queuedElsewhere.map((k) => ({ ...k, failedReason: null })));
    }
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
  vectors: number;
  failures: { idx: number; reason: string; failed_at: string }[] | string | null;
}

/**
 * The tenant's document, or null when the tenant has none with this id.
 * Pending and failed passages are counted for the current model (modelKey;
 * null while none is known: every passage is pending).
 */
export async function getDocument(ctx: StoreContext, tenantId: string, id: string, modelKey: number | null): Promise<StoredDocument | null> {
  assertTenantId(tenantId);
  assertDocumentId(id);
  const vectors = modelKey === null ? '0' : `(SELECT count(*) FROM ${vectorTable(ctx.s, modelKey)} v WHERE v.tenant_id = d.tenant_id AND v.doc_id = d.id)`;
  const { rows } = await ctx.db.query<DocumentRow>(
    `SELECT d.tenant_id, d.id, d.locale, d.source_type, d.title, d.content, d.metadata, d.content_sha256,
            d.created_at, d.updated_at,
            (SELECT count(*) FROM ${ctx.s}.passages p WHERE p.tenant_id = d.tenant_id AND p.doc_id = d.id)::int AS passage_count,
            ${vectors}::int AS vectors,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('idx', j.idx, 'reason', j.failed_reason, 'failed_at', j.failed_at) ORDER BY j.idx), '[]'::jsonb)
               FROM ${ctx.s}.embed_jobs j
              WHERE j.model = $3 AND j.tenant_id = d.tenant_id AND j.doc_id = d.id AND j.failed_reason IS NOT NULL) AS failures
       FROM ${ctx.s}.documents d
      WHERE d.tenant_id = $1 AND d.id = $2`,
    [tenantId, id, modelKey],
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
    pendingPassages: Number(r.passage_count) - Number(r.vectors) - failures.length,
    failedPassages: failures.length,
    passageFailures: failures.map((f) => ({ index: Number(f.idx), reason: f.reason, failedAt: new Date(f.failed_at) })),
  };
}
