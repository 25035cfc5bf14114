import { isPolysearchError } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import { normalizeBatch, type DocumentInput } from './document-input.js';
import { planUpsert } from './document-state.js';
import { upsertDocuments, type UpsertResult } from './documents.js';
import type { StoreContext } from './store-context.js';
import { isRefused, type PassageOutcome } from './passage-outcome.js';

const log = logger.child({ component: 'search-store' });

export interface IndexDocumentsOptions {
  /** Current embedder fingerprint (null/empty when unknown: everything new is stored pending). */
  fingerprint: string | null | undefined;
  /**
   * Embeds passage texts (the embedder adds the "passage: " prefix). One
   * outcome per text, in order: its vector, or the embedder's refusal of that
   * text (the passage is set aside; the rest is stored with vectors).
   */
  embed?: (passageTexts: string[]) => Promise<readonly PassageOutcome[]>;
  /**
   * Which embed failures degrade to "store pending" instead of failing the
   * upsert. Default: UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED.
   */
  storePendingOn?: (err: unknown) => boolean;
}

export interface IndexDocumentsResult extends UpsertResult {
  /** Passages stored with a vector from this call. */
  embeddedPassages: number;
  /** The embed error that made this batch pending, if any. */
  embedError?: unknown;
}

const degradable = (err: unknown) =>
  isPolysearchError(err) && (err.kind === 'unavailable' || err.kind === 'deadline_exceeded' || err.kind === 'resource_exhausted');

/**
 * The whole upsert for the service: plan (read-only), embed only the
 * documents that need it — outside any transaction, so no row lock is held
 * across an embedder call — then write everything in one transaction. When
 * the embedder is down the batch is stored pending.
 */
export async function indexDocuments(
  ctx: StoreContext,
  input: readonly DocumentInput[],
  options: IndexDocumentsOptions,
): Promise<IndexDocumentsResult> {
  const docs = normalizeBatch(input);
  const fingerprint = options.fingerprint || null;
  const plan = fingerprint && options.embed ? await planUpsert(ctx, docs, fingerprint) : [];
  const passageTexts: string[] = [];
  for (const item of plan) if (item.needsEmbedding) for (const p of item.passages) passageTexts.push(p.embeddingText);

  let embeddings: (readonly PassageOutcome[] | undefined)[] | undefined;
  let refused = 0;
  let embedError: unknown;
  if (passageTexts.length > 0 && options.embed) {
    try {
      const vectors = await options.embed(passageTexts);
      if (vectors.length !== passageTexts.length) throw new Error(`embedder returned ${vectors.length} vectors for ${passageTexts.length} passages`);
      refused = vectors.filter(isRefused).length;
      let next = 0;
      embeddings = plan.map((item) => {
        if (!item.needsEmbedding) return undefined;
        const slice = vectors.slice(next, next + item.passages.length);
        next += item.passages.length;
        return slice;
      });
    } catch (err) {
      if (!(options.storePendingOn ?? degradable)(err)) throw err;
      embedError = err;
      log.warn({ documents: docs.length, passages: passageTexts.length, reason: isPolysearchError(err) ? err.reason : 'error' }, 'embedder unavailable; storing documents pending');
    }
  }
  const result = await upsertDocuments(ctx, docs, { fingerprint, embeddings });
  return { ...result, embeddedPassages: embeddings ? passageTexts.length - refused : 0, ...(embedError === undefined ? {} : { embedError }) };
}
