import { invalidArgument, notFound, unavailable } from '../../../../shared/errors.js';
import { assertDocumentId, assertTenantId } from './ids.js';
import { logger } from '../../../../shared/logger.js';
import { inputRefusal, type EmbedderClient } from '../embedder/embedder-client.js';
import type { SearchMetrics } from '../metrics.js';
import type { DocumentInput } from '../store/document-input.js';
import type { PassageOutcome } from '../store/passage-outcome.js';
import type { StoredDocument } from '../store/documents.js';
import type { StoreStats } from '../store/stats.js';
import type { SearchStore } from '../store/search-store.js';
import { embedIsolatingRefusals } from './embed-isolating.js';

export interface DocumentCoreOptions {
  store: SearchStore;
  embedder: EmbedderClient;
  metrics: SearchMetrics;
  maxDocuments: number;
  maxContentBytes: number;
  /** Texts per embedder call (the embedder's own limit, from Info). */
  embedBatch: () => number;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  pending: number;
}

/**
 * Writes, reads and counts documents. Upsert embeds only what changed, and
 * when the embedder cannot answer it stores the documents anyway (pending,
 * keyword-searchable) so nothing a caller sends is lost — also at shutdown:
 * see drain().
 */
export class DocumentCore {
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopEmbedding: (err: Error) => void = () => undefined;
  /** Rejects when shutdown gives up waiting for the embedder; upserts then store what is left pending. */
  private readonly embeddingStopped = new Promise<never>((_, reject) => {
    this.stopEmbedding = reject;
  });

  constructor(private readonly o: DocumentCoreOptions) {
    this.embeddingStopped.catch(() => undefined);
  }

  upsert(docs: DocumentInput[]): Promise<UpsertCounts> {
    const work = this.index(docs);
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  /**
   * For shutdown, once no new calls are accepted: Upserts in flight may keep
   * embedding for `embedMs`; then their embedding is abandoned and they store
   * what is left pending (the backfill embeds it later), so each is committed
   * whole and answered, never cancelled halfway. Resolves when all have
   * settled, or after `embedMs + writeMs` at the latest.
   */
  async drain(embedMs: number, writeMs: number): Promise<void> {
    const giveUp = setTimeout(
      () => this.stopEmbedding(unavailable('search is shutting down; stored pending, embedded after restart', 'shutting_down')),
      embedMs,
    );
    let deadline: NodeJS.Timeout | undefined;
    const hardStop = new Promise<void>((resolve) => (deadline = setTimeout(resolve, embedMs + writeMs)));
    try {
      const settled = (async () => {
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      })();
      await Promise.race([settled, hardStop]);
      if (this.inFlight.size > 0) logger.warn({ upserts: this.inFlight.size }, 'shutdown: upserts still writing after the grace period');
    } finally {
      clearTimeout(giveUp);
      clearTimeout(deadline);
    }
  }

  private async index(docs: DocumentInput[]): Promise<UpsertCounts> {
    if (docs.length === 0) throw invalidArgument('documents is empty: send at least one document', 'empty_documents');
    if (docs.length > this.o.maxDocuments) {
      throw invalidArgument(`${docs.length} documents sent, the limit is ${this.o.maxDocuments} per Upsert (UPSERT_MAX_DOCUMENTS); split the batch`, 'too_many_documents');
    }
    docs.forEach((d, i) => {
      const bytes = Buffer.byteLength(d.content ?? '', 'utf8') + Buffer.byteLength(d.title ?? '', 'utf8');
      if (bytes > this.o.maxContentBytes) {
        throw invalidArgument(
          `documents[${i}] has ${bytes} bytes of title and content, the limit is ${this.o.maxContentBytes} (UPSERT_MAX_CONTENT_BYTES)`,
          'document_too_large',
        );
      }
    });

    const fingerprint = await this.currentFingerprint();
    const result = await this.o.store.indexDocuments(docs, {
      fingerprint,
      embed: (texts) => this.embedPassages(texts),
    });
    for (const outcome of ['inserted', 'updated', 'unchanged'] as const) this.o.metrics.upserted.inc({ outcome }, result[outcome]);
    if (result.failedPassages > 0) this.o.metrics.passageFailures.inc({ stage: 'upsert' }, result.failedPassages);
    logger.info(
      {
        documents: docs.length,
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged,
        pending: result.pending,
        embeddedPassages: result.embeddedPassages,
        failedPassages: result.failedPassages,
      },
      'upsert',
    );
    return { inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, pending: result.pending };
  }

  async delete(tenantId: string, ids: string[]): Promise<number> {
    assertTenantId(tenantId);
    if (ids.length === 0) throw invalidArgument('ids is empty: name the documents to delete', 'empty_ids');
    ids.forEach((id, i) => assertDocumentId(id, `ids[${i}]`));
    return this.o.store.deleteDocuments(tenantId, ids);
  }

  async get(tenantId: string, id: string): Promise<StoredDocument> {
    assertTenantId(tenantId);
    assertDocumentId(id);
    const doc = await this.o.store.getDocument(tenantId, id);
    if (!doc) throw notFound(`tenant has no document with id ${JSON.stringify(id)}`);
    return doc;
  }

  async stats(tenantId: string): Promise<StoreStats & { fingerprint: string }> {
    const fingerprint = this.o.embedder.fingerprint?.digest ?? '';
    // An empty tenant_id asks for every tenant; any other value must be a valid id.
    if (tenantId !== '') assertTenantId(tenantId);
    const s = await this.o.store.stats({ tenantId: tenantId || undefined, fingerprint: fingerprint || null });
    return { ...s, fingerprint };
  }

  /** The embedder's model digest; asks once if no call has told us yet. Unknown → store pending. */
  private async currentFingerprint(): Promise<string | null> {
    const known = this.o.embedder.fingerprint?.digest;
    if (known) return known;
    try {
      return (await this.o.embedder.info()).model?.digest ?? null;
    } catch {
      return null;
    }
  }

  /** Vectors for every passage; one the embedder refuses is set aside instead of failing the rest. */
  private embedPassages(texts: string[]): Promise<PassageOutcome[]> {
    const embedding = embedIsolatingRefusals(texts, {
      batch: this.o.embedBatch(),
      refusal: inputRefusal,
      embed: async (batch) => {
        try {
          const { vectors } = await this.o.embedder.embedPassages(batch);
          this.o.metrics.embedderCalls.inc({ role: 'passage', outcome: 'ok' });
          return vectors;
        } catch (err) {
          this.o.metrics.embedderCalls.inc({ role: 'passage', outcome: (err as { reason?: string }).reason ?? 'error' });
          throw err;
        }
      },
    });
    // At shutdown the wait is cut short; the calls still running are dropped with the channel.
    return Promise.race([embedding, this.embeddingStopped]);
  }
}
