import { invalidArgument } from '../../../../shared/errors.js';
import { embeddingTitleFor, passageEmbeddingText } from '../passages/chunker.js';
import { isRefused, refusalReason, type PassageOutcome } from './passage-outcome.js';
import type { StoreContext } from './store-context.js';
import { tenantKeys } from './tenants.js';
import { insertJobs, insertVectors, type PassageKey } from './upsert-write.js';
import { assertNonZero, toVectorLiteral } from './vector-codec.js';

/** A passage handed to a backfill worker for one model. Send it back unchanged with its outcome. */
export interface ClaimedPassage extends PassageKey {
  /** The stored chunk; the vector is stored only if it is still the same. */
  content: string;
  /** The document's content hash at claim time; also checked on store. */
  contentSha256: string;
  /** What to send to the embedder (title + chunk, as at upsert). */
  embeddingText: string;
}

export interface ClaimOptions {
  /** The model whose jobs to claim. */
  modelKey: number;
  limit: number;
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
 * Claims up to `limit` passages queued for a model (not those it refused).
 * A claim is a lease (claim_expires_at) taken with FOR UPDATE SKIP LOCKED, so
 * replicas running the backfill concurrently get disjoint work, and a worker
 * that dies only delays its passages until the lease expires.
 */
export async function claimJobs(ctx: StoreContext, options: ClaimOptions): Promise<ClaimedPassage[]> {
  const { limit, modelKey } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalidArgument('claim limit must be in 1..10000', 'invalid_claim_limit');
  const leaseMs = options.leaseMs ?? 60_000;
  const { rows } = await ctx.db.query<ClaimRow>(
    `WITH candidates AS (
       SELECT j.tenant_id, j.doc_id, j.idx
         FROM ${ctx.s}.embed_jobs j
        WHERE j.model = $1 AND j.failed_reason IS NULL
          AND (j.claim_expires_at IS NULL OR j.claim_expires_at < now())
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE ${ctx.s}.embed_jobs j
          SET claim_expires_at = now() + make_interval(secs => $3::double precision / 1000)
         FROM candidates c
        WHERE j.model = $1 AND j.tenant_id = c.tenant_id AND j.doc_id = c.doc_id AND j.idx = c.idx
       RETURNING j.tenant_id, j.doc_id, j.idx
     )
     SELECT c.tenant_id, c.doc_id, c.idx, p.content, d.title, d.content_sha256
       FROM claimed c
       JOIN ${ctx.s}.passages p ON p.tenant_id = c.tenant_id AND p.doc_id = c.doc_id AND p.idx = c.idx
       JOIN ${ctx.s}.documents d ON d.tenant_id = p.tenant_id AND d.id = p.doc_id
      ORDER BY c.tenant_id, c.doc_id, c.idx`,
    [modelKey, limit, leaseMs],
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    docId: r.doc_id,
    index: Number(r.idx),
    content: r.content,
    contentSha256: r.content_sha256,
    embeddingText: passageEmbeddingText(embeddingTitleFor(r.title, ctx.chunker), r.content),
  }));
}

export interface BackfillResult {
  stored: number;
  /** Refused by the embedder: set aside for this model. */
  failed: number;
  /** The passage changed or went away after the claim: its new content has a job of its own. */
  skipped: number;
}

/**
 * Writes what the embedder gave for claimed passages of one model, in one
 * transaction: vectors, and refusals (set aside with the reason). Only for
 * passages that still have the claimed content and whose document still has
 * the claimed hash; the rest are dropped (replaced or deleted meanwhile).
 */
export async function storeBackfilled(
  ctx: StoreContext,
  model: { key: number; dimensions: number },
  items: readonly (ClaimedPassage & { outcome: PassageOutcome })[],
): Promise<BackfillResult> {
  if (items.length === 0) return { stored: 0, failed: 0, skipped: 0 };
  return ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string; doc_id: string; idx: number }>(
      `SELECT r.tenant_id, r.doc_id, r.idx
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) AS r(tenant_id, doc_id, idx, content, content_sha256)
         JOIN ${ctx.s}.passages p ON p.tenant_id = r.tenant_id AND p.doc_id = r.doc_id AND p.idx = r.idx AND p.content = r.content
         JOIN ${ctx.s}.documents d ON d.tenant_id = r.tenant_id AND d.id = r.doc_id AND d.content_sha256 = r.content_sha256
        ORDER BY 1, 2, 3
          FOR SHARE OF p`,
      [
        items.map((i) => i.tenantId),
        items.map((i) => i.docId),
        items.map((i) => i.index),
        items.map((i) => i.content),
        items.map((i) => i.contentSha256),
      ],
    );
    const current = new Set(rows.map((r) => `${r.tenant_id}\u0000${r.doc_id}\u0000${Number(r.idx)}`));
    const live = items.filter((i) => current.has(`${i.tenantId}\u0000${i.docId}\u0000${i.index}`));
    const vectors = live.filter((i) => !isRefused(i.outcome));
    const refused = live.filter((i) => isRefused(i.outcome));
    const keys = await tenantKeys(ctx, tx, vectors.map((v) => v.tenantId));
    const stored = await insertVectors(
      ctx,
      tx,
      model.key,
      vectors.map((v) => ({
        tenantId: v.tenantId,
        docId: v.docId,
        index: v.index,
        tenantKey: keys.get(v.tenantId)!,
        literal: toVectorLiteral(assertNonZero(v.outcome as number[], 'passage embedding'), model.dimensions, 'passage embedding'),
      })),
    );
    await insertJobs(
      ctx,
      tx,
      model.key,
      refused.map((r) => ({ tenantId: r.tenantId, docId: r.docId, index: r.index, failedReason: refusalReason(r.outcome as { refused: string }) })),
    );
    return { stored, failed: refused.length, skipped: items.length - live.length };
  });
}

/** Gives claimed jobs back at once (for example after an embedder failure) instead of waiting for the lease. */
export async function releaseJobs(ctx: StoreContext, modelKey: number, items: readonly PassageKey[]): Promise<void> {
  if (items.length === 0) return;
  await ctx.db.query(
    `UPDATE ${ctx.s}.embed_jobs j SET claim_expires_at = NULL
       FROM unnest($2::text[], $3::text[], $4::int[]) AS r(tenant_id, doc_id, idx)
      WHERE j.model = $1 AND j.tenant_id = r.tenant_id AND j.doc_id = r.doc_id AND j.idx = r.idx`,
    [modelKey, items.map((i) => i.tenantId), items.map((i) => i.docId), items.map((i) => i.index)],
  );
}

