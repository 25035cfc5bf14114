import { invalidArgument, isPolysearchError, notFound, unavailable } from '../../../../shared/errors.js';
import { assertDocumentId, assertTenantId } from './ids.js';
import { logger } from '../../../../shared/logger.js';
import type { SearchMetrics } from '../metrics.js';
import type { DocumentInput } from '../store/document-input.js';
import type { UpsertPlanItem } from '../store/document-state.js';
import type { PassageOutcome } from '../store/passage-outcome.js';
import type { StoredDocument, UpsertOptions, UpsertResult } from '../store/documents.js';
import type { StoreStats } from '../store/stats.js';
import { embedIsolatingRefusals } from './embed-isolating.js';
import type { ModelDirectory } from './rotation/model-directory.js';
import type { EmbedderEndpoint } from './rotation/ports.js';

/** What the document core needs from storage. */
export interface DocumentStore {
  /** Which documents changed and need vectors of the current model (read-only). */
  planUpsert(docs: readonly DocumentInput[], modelKey: number | null): Promise<UpsertPlanItem[]>;
  /** Writes the batch in one transaction: rows, passages, given vectors, and jobs for what is left. */
  upsertDocuments(docs: readonly DocumentInput[], options: UpsertOptions): Promise<UpsertResult>;
  deleteDocuments(tenantId: string, ids: readonly string[]): Promise<number>;
  getDocument(tenantId: string, id: string, modelKey: number | null): Promise<StoredDocument | null>;
  stats(options: { tenantId?: string; modelKey: number | null }): Promise<StoreStats>;
}

export interface DocumentCoreOptions {
  store: DocumentStore;
  /** Which model is current (its vectors are written at once) and which others are kept (queued). */
  models: ModelDirectory;
  metrics: SearchMetrics;
  maxDocuments: number;
  maxContentBytes: number;
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

    // One straight path: plan (read), embed what changed (no transaction open), write (one transaction).
    const serving = this.o.models.serving;
    const current = serving.current;
    const endpoint = this.o.models.endpointFor(current);
    const plan = await this.o.store.planUpsert(docs, current?.key ?? null);
    const texts = plan.flatMap((item) => (item.needsEmbedding ? item.passages.map((p) => p.embeddingText) : []));
    let outcomes: PassageOutcome[] | undefined;
    if (current && endpoint && texts.length > 0) {
      try {
        outcomes = await this.embedPassages(endpoint, texts);
      } catch (err) {
        if (!isPolysearchError(err) || err.kind !== 'unavailable') throw err;
        logger.warn({ documents: docs.length, passages: texts.length, reason: err.reason }, 'embedder unavailable; storing documents pending');
      }
    }
    let next = 0;
    const embeddings = outcomes
      ? plan.map((item) => {
          if (!item.needsEmbedding) return undefined;
          const slice = outcomes!.slice(next, next + item.passages.length);
          next += item.passages.length;
          return slice;
        })
      : undefined;
    const kept = [serving.next, serving.previous].filter((m) => m !== undefined).map((m) => m.key);
    const written = await this.o.store.upsertDocuments(docs, {
      model: current ? { key: current.key, dimensions: current.dimensions } : null,
      embeddings,
      alsoQueueFor: kept,
    });
    const result = { ...written, embeddedPassages: outcomes ? texts.length : 0 };
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
    const doc = await this.o.store.getDocument(tenantId, id, this.o.models.serving.current?.key ?? null);
    if (!doc) throw notFound(`tenant has no document with id ${JSON.stringify(id)}`);
    return doc;
  }

  async stats(tenantId: string): Promise<StoreStats & { fingerprint: string }> {
    const current = this.o.models.serving.current;
    // An empty tenant_id asks for every tenant; any other value must be a valid id.
    if (tenantId !== '') assertTenantId(tenantId);
    const s = await this.o.store.stats({ tenantId: tenantId || undefined, modelKey: current?.key ?? null });
    return { ...s, fingerprint: current?.digest ?? '' };
  }

  /** Vectors for every passage; one the embedder refuses is set aside instead of failing the rest. */
  private embedPassages(endpoint: EmbedderEndpoint, texts: string[]): Promise<PassageOutcome[]> {
    const expected = this.o.models.serving.current?.digest;
    const embedding = embedIsolatingRefusals(texts, {
      batch: endpoint.maxInputs,
      refusal: (err) => endpoint.refusal(err),
      embed: async (batch) => {
        try {
          const { vectors, model } = await endpoint.embedPassages(batch);
          // The embedder swapped models since the plan: these vectors belong to no table we write; store pending.
          if (model.digest !== expected) throw unavailable('the embedder now serves another model than the current one', 'embedder_model_changed');
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
