import { invalidArgument } from '../../../../shared/errors.js';
import { embeddingTitleFor, passageEmbeddingText } from '../passages/chunker.js';
import type { Queryable } from './db.js';
import { knownFingerprint } from './document-state.js';
import { refusalReason } from './passage-outcome.js';
import type { StoreContext } from './store-context.js';
import { assertNonZero, toVectorLiteral, type VectorLike } from './vector-codec.js';

/** A passage handed to a backfill worker. Send it back unchanged with its vector. */
export interface ClaimedPassage {
  tenantId: string;
  docId: string;
  index: number;
  /** The stored chunk; storePassageEmbeddings writes only if it is still the same. */
  content: string;
  /** The document's content hash at claim time; also checked on store. */
  contentSha256: string;
  /** What to send to the embedder (title + chunk, as at upsert). */
  embeddingText: string;
  /** Why it was claimed: no vector yet, or a vector from another model. */
  reason: 'pending' | 'stale';
}

export interface ClaimOptions {
  limit: number;
  /** The current embedder fingerprint; passages embedded with another one are claimed after pending ones. */
  fingerprint: string | null | undefined;
  /** How long a claim keeps other workers off these passages (default 60 s). */
  leaseMs?: number;
}

interface ClaimRow {
  tenant_id: string;
  doc_id: string;
  idx: number;
  content: string;
  title: string;
  content_sha256: string;
}

/**
 * Claims up to `limit` passages that need a vector: first those without one,
 * then (when the fingerprint is known) those embedded by another model. A
 * claim is a lease (claim_expires_at) taken with FOR UPDATE SKIP LOCKED, so
 * replicas running the backfill concurrently get disjoint work, and a worker
 * that dies only delays its passages until the lease expires.
 */
export async function claimPendingPassages(ctx: StoreContext, options: ClaimOptions): Promise<ClaimedPassage[]> {
  const limit = options.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalidArgument('claim limit must be in 1..10000', 'invalid_claim_limit');
  const leaseMs = options.leaseMs ?? 60_000;
  const fingerprint = knownFingerprint(options.fingerprint);
  return ctx.db.transaction(async (tx) => {
    const claimed: ClaimedPassage[] = [];
    // Passages the embedder refused are set aside (embed_error) until their content changes: never claimed again.
    const pending = await claim(ctx, tx, 'p.embedding IS NULL AND p.embed_error IS NULL', [], limit, leaseMs);
    claimed.push(...pending.map((r) => toClaimed(ctx, r, 'pending')));
    if (fingerprint !== null && claimed.length < limit) {
      // Two range conditions instead of <>, so the partial fingerprint index can serve them.
      const stale = await claim(
        ctx,
        tx,
        'p.embedding IS NOT NULL AND (p.fingerprint IS NULL OR p.fingerprint < $3::text OR p.fingerprint > $3::text)',
        [fingerprint],
        limit - claimed.length,
        leaseMs,
      );
      claimed.push(...stale.map((r) => toClaimed(ctx, r, 'stale')));
    }
    return claimed;
  });
}

async function claim(ctx: StoreContext, tx: Queryable, condition: string, extra: unknown[], limit: number, leaseMs: number): Promise<ClaimRow[]> {
  const { rows } = await tx.query<ClaimRow>(
    `WITH candidates AS (
       SELECT p.tenant_id, p.doc_id, p.idx
         FROM ${ctx.s}.passages p
        WHERE ${condition}
          AND (p.claim_expires_at IS NULL OR p.claim_expires_at < now())
        LIMIT $1
        FOR UPDATE SKIP LOCKED
     )
     UPDATE ${ctx.s}.passages p
        SET claim_expires_at = now() + make_interval(secs => $2::double precision / 1000)
       FROM candidates c, ${ctx.s}.documents d
      WHERE p.tenant_id = c.tenant_id AND p.doc_id = c.doc_id AND p.idx = c.idx
        AND d.tenant_id = p.tenant_id AND d.id = p.doc_id
     RETURNING p.tenant_id, p.doc_id, p.idx, p.content, d.title, d.content_sha256`,
    [limit, leaseMs, ...extra],
  );
  return rows;
}

function toClaimed(ctx: StoreContext, r: ClaimRow, reason: ClaimedPassage['reason']): ClaimedPassage {
  return {
    tenantId: r.tenant_id,
    docId: r.doc_id,
    index: Number(r.idx),
    content: r.content,
    contentSha256: r.content_sha256,
    embeddingText: passageEmbeddingText(embeddingTitleFor(r.title, ctx.chunker), r.content),
    reason,
  };
}

export interface PassageEmbedding {
  tenantId: string;
  docId: string;
  index: number;
  content: string;
  contentSha256: string;
  embedding: VectorLike;
}

/**
 * Writes backfilled vectors, each only if the passage still has the claimed
 * content and its document the claimed hash (the document may have been
 * replaced or deleted meanwhile; then the vector is dropped). Returns how
 * many were stored and skipped.
 */
export async function storePassageEmbeddings(
  ctx: StoreContext,
  items: readonly PassageEmbedding[],
  fingerprint: string,
): Promise<{ stored: number; skipped: number }> {
  if (!knownFingerprint(fingerprint)) throw invalidArgument('a fingerprint is required to store embeddings', 'missing_fingerprint');
  if (items.length === 0) return { stored: 0, skipped: 0 };
  const vectors = items.map((i) => toVectorLiteral(assertNonZero(i.embedding, 'passage embedding'), ctx.dims, 'passage embedding'));
  const { rowCount } = await ctx.db.query(
    `UPDATE ${ctx.s}.passages p
        SET embedding = r.embedding::vector, fingerprint = $7::text, embedded_at = now(), claim_expires_at = NULL,
            embed_error = NULL, embed_failed_at = NULL
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
              AS r(tenant_id, doc_id, idx, content, content_sha256, embedding),
            ${ctx.s}.documents d
      WHERE p.tenant_id = r.tenant_id AND p.doc_id = r.doc_id AND p.idx = r.idx AND p.content = r.content
        AND d.tenant_id = p.tenant_id AND d.id = p.doc_id AND d.content_sha256 = r.content_sha256`,
    [
      items.map((i) => i.tenantId),
      items.map((i) => i.docId),
      items.map((i) => i.index),
      items.map((i) => i.content),
      items.map((i) => i.contentSha256),
      vectors,
      fingerprint,
    ],
  );
  return { stored: rowCount, skipped: items.length - rowCount };
}

export interface PassageRefusal {
  tenantId: string;
  docId: string;
  index: number;
  content: string;
  contentSha256: string;
  /** The embedder's reason (sizes and limits, never text). */
  reason: string;
}

/**
 * Sets claimed passages aside because the embedder refused them: the reason
 * is stored, any old vector dropped (a stale vector of another model is not
 * searchable anyway), and the claim cleared. The backfill never claims them
 * again; a new upsert of changed content rewrites the passages and retries.
 * Like storePassageEmbeddings, only passages still as claimed are touched.
 */
export async function setPassagesAside(ctx: StoreContext, items: readonly PassageRefusal[]): Promise<number> {
  if (items.length === 0) return 0;
  const { rowCount } = await ctx.db.query(
    `UPDATE ${ctx.s}.passages p
        SET embedding = NULL, fingerprint = NULL, embedded_at = NULL, claim_expires_at = NULL,
            embed_error = r.reason, embed_failed_at = now()
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
              AS r(tenant_id, doc_id, idx, content, content_sha256, reason),
            ${ctx.s}.documents d
      WHERE p.tenant_id = r.tenant_id AND p.doc_id = r.doc_id AND p.idx = r.idx AND p.content = r.content
        AND d.tenant_id = p.tenant_id AND d.id = p.doc_id AND d.content_sha256 = r.content_sha256`,
    [
      items.map((i) => i.tenantId),
      items.map((i) => i.docId),
      items.map((i) => i.index),
      items.map((i) => i.content),
      items.map((i) => i.contentSha256),
      items.map((i) => refusalReason({ refused: i.reason })),
    ],
  );
  return rowCount;
}

/** Gives claimed passages back at once (for example after an embedder failure) instead of waiting for the lease. */
export async function releasePassageClaims(ctx: StoreContext, items: readonly { tenantId: string; docId: string; index: number }[]): Promise<void> {
  if (items.length === 0) return;
  await ctx.db.query(
    `UPDATE ${ctx.s}.passages p SET claim_expires_at = NULL
       FROM unnest($1::text[], $2::text[], $3::int[]) AS r(tenant_id, doc_id, idx)
      WHERE p.tenant_id = r.tenant_id AND p.doc_id = r.doc_id AND p.idx = r.idx`,
    [items.map((i) => i.tenantId), items.map((i) => i.docId), items.map((i) => i.index)],
  );
}
