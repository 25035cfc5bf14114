import { chunkDocument, type Passage } from '../passages/chunker.js';
import type { Queryable } from './db.js';
import { docKey, normalizeBatch, sameMetadata, type DocumentInput, type NormalizedDocument } from './document-input.js';
import type { StoreContext } from './store-context.js';

/** What the store holds for a document, as far as upsert decisions need it. */
export interface StoredState {
  contentSha256: string;
  sourceType: string;
  metadata: Record<string, string>;
  passages: number;
  /** Passages waiting for an embedding (not those the embedder refused: they wait for new content). */
  pending: number;
  /** Embedded passages whose fingerprint differs from the current one (0 when it is unknown). */
  stale: number;
}

/**
 * new / changed: passages must be (re)built and embedded.
 * same: the content hash matches; `needsEmbedding` says whether some passage
 * lacks a vector from the current model, `rowChanged` whether metadata or
 * source_type differ (a row update, no re-embedding).
 */
export interface Classification {
  kind: 'new' | 'changed' | 'same';
  needsEmbedding: boolean;
  rowChanged: boolean;
}

export function classify(doc: NormalizedDocument, stored: StoredState | undefined): Classification {
  if (stored === undefined) return { kind: 'new', needsEmbedding: true, rowChanged: true };
  if (stored.contentSha256 !== doc.contentSha256 || stored.passages === 0) {
    return { kind: 'changed', needsEmbedding: true, rowChanged: true };
  }
  return {
    kind: 'same',
    needsEmbedding: stored.pending > 0 || stored.stale > 0,
    rowChanged: stored.sourceType !== doc.sourceType || !sameMetadata(stored.metadata, doc.metadata),
  };
}

/** Empty fingerprint means "not known yet" (the embedder was never reached). */
export function knownFingerprint(fingerprint: string | null | undefined): string | null {
  return fingerprint === undefined || fingerprint === null || fingerprint === '' ? null : fingerprint;
}

/**
 * Loads the stored state of the batch's documents. With `lock`, the document
 * rows are locked FOR UPDATE in (tenant_id, id) order, so concurrent batches
 * touching the same documents serialize instead of deadlocking.
 */
export async function loadStoredState(
  ctx: StoreContext,
  q: Queryable,
  docs: readonly NormalizedDocument[],
  fingerprint: string | null,
  lock: boolean,
): Promise<Map<string, StoredState>> {
  const state = new Map<string, StoredState>();
  if (docs.length === 0) return state;
  const tenants = docs.map((d) => d.tenantId);
  const ids = docs.map((d) => d.id);
  const rows = await q.query<{ tenant_id: string; id: string; content_sha256: string; source_type: string; metadata: Record<string, string> }>(
    `SELECT d.tenant_id, d.id, d.content_sha256, d.source_type, d.metadata
       FROM ${ctx.s}.documents d
       JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) ON d.tenant_id = k.tenant_id AND d.id = k.id
      ORDER BY d.tenant_id, d.id
      ${lock ? 'FOR UPDATE OF d' : ''}`,
    [tenants, ids],
  );
  for (const r of rows.rows) {
    state.set(docKey(r.tenant_id, r.id), {
      contentSha256: r.content_sha256,
      sourceType: r.source_type,
      metadata: r.metadata ?? {},
      passages: 0,
      pending: 0,
      stale: 0,
    });
  }
  if (state.size === 0) return state;
  const counts = await q.query<{ tenant_id: string; doc_id: string; passages: number; pending: number; stale: number }>(
    `SELECT p.tenant_id, p.doc_id,
            count(*)::int AS passages,
            count(*) FILTER (WHERE p.embedding IS NULL AND p.embed_error IS NULL)::int AS pending,
            count(*) FILTER (WHERE p.embedding IS NOT NULL AND $3::text IS NOT NULL
                               AND p.fingerprint IS DISTINCT FROM $3::text)::int AS stale
       FROM ${ctx.s}.passages p
       JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) ON p.tenant_id = k.tenant_id AND p.doc_id = k.id
      GROUP BY p.tenant_id, p.doc_id`,
    [tenants, ids, fingerprint],
  );
  for (const r of counts.rows) {
    const s = state.get(docKey(r.tenant_id, r.doc_id));
    if (s) Object.assign(s, { passages: Number(r.passages), pending: Number(r.pending), stale: Number(r.stale) });
  }
  return state;
}

export interface UpsertPlanItem {
  tenantId: string;
  id: string;
  kind: Classification['kind'];
  /** True when the embedder should be called for this document's passages. */
  needsEmbedding: boolean;
  contentSha256: string;
  /** The passages to embed (embeddingText), in order; empty when needsEmbedding is false. */
  passages: Passage[];
}

/**
 * Read-only first phase of an upsert: which documents need embedding, and
 * their passage texts. The service embeds only those, outside any database
 * transaction, then calls upsertDocuments with the vectors (aligned with the
 * input order). Items are in input order.
 */
export async function planUpsert(
  ctx: StoreContext,
  input: readonly DocumentInput[],
  fingerprint: string | null | undefined,
): Promise<UpsertPlanItem[]> {
  const docs = normalizeBatch(input);
  const fp = knownFingerprint(fingerprint);
  const state = await loadStoredState(ctx, ctx.db, docs, fp, false);
  return docs.map((doc) => {
    const c = classify(doc, state.get(docKey(doc.tenantId, doc.id)));
    return {
      tenantId: doc.tenantId,
      id: doc.id,
      kind: c.kind,
      needsEmbedding: c.needsEmbedding,
      contentSha256: doc.contentSha256,
      passages: c.needsEmbedding ? chunkDocument(doc, ctx.chunker).passages : [],
    };
  });
}
