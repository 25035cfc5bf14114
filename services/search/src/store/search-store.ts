import type { Candidate, KeywordRetrieval, SearchIndex, SemanticRetrieval } from '../core/search/ports.js';
import {
  claimPendingPassages,
  releasePassageClaims,
  storePassageEmbeddings,
  type ClaimOptions,
  type ClaimedPassage,
  type PassageEmbedding,
} from './backfill.js';
import type { Db } from './db.js';
import type { DocumentInput } from './document-input.js';
import { planUpsert, type UpsertPlanItem } from './document-state.js';
import { deleteDocuments, getDocument, upsertDocuments, type StoredDocument, type UpsertOptions, type UpsertResult } from './documents.js';
import { indexDocuments, type IndexDocumentsOptions, type IndexDocumentsResult } from './index-documents.js';
import { keywordCandidates } from './keyword-search.js';
import { migrate, type MigrationResult } from './migrations.js';
import { semanticCandidates } from './semantic-search.js';
import { stats, type StoreStats } from './stats.js';
import { createStoreContext, type StoreConfig, type StoreContext } from './store-context.js';

/**
 * The storage layer as one object for the service: the functions of this
 * directory bound to a Db and a validated config. Owns nothing but the
 * context; closing the Db is the caller's business.
 */
export class SearchStore implements SearchIndex {
  readonly ctx: StoreContext;

  constructor(db: Db, config: StoreConfig = {}) {
    this.ctx = createStoreContext(db, config);
  }

  /** Creates the context and migrates the schema (safe with concurrent replicas). */
  static async open(db: Db, config: StoreConfig = {}): Promise<SearchStore> {
    const store = new SearchStore(db, config);
    await store.migrate();
    return store;
  }

  migrate(): Promise<MigrationResult> {
    const { db, schema, dims, hnswM, hnswEfConstruction } = this.ctx;
    return migrate(db, { schema, dims, hnswM, hnswEfConstruction });
  }

  planUpsert(docs: readonly DocumentInput[], fingerprint: string | null | undefined): Promise<UpsertPlanItem[]> {
    return planUpsert(this.ctx, docs, fingerprint);
  }

  upsertDocuments(docs: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
    return upsertDocuments(this.ctx, docs, options);
  }

  indexDocuments(docs: readonly DocumentInput[], options: IndexDocumentsOptions): Promise<IndexDocumentsResult> {
    return indexDocuments(this.ctx, docs, options);
  }

  deleteDocuments(tenantId: string, ids: readonly string[]): Promise<number> {
    return deleteDocuments(this.ctx, tenantId, ids);
  }

  getDocument(tenantId: string, id: string): Promise<StoredDocument | null> {
    return getDocument(this.ctx, tenantId, id);
  }

  claimPendingPassages(options: ClaimOptions): Promise<ClaimedPassage[]> {
    return claimPendingPassages(this.ctx, options);
  }

  storePassageEmbeddings(items: readonly PassageEmbedding[], fingerprint: string): Promise<{ stored: number; skipped: number }> {
    return storePassageEmbeddings(this.ctx, items, fingerprint);
  }

  releasePassageClaims(items: readonly { tenantId: string; docId: string; index: number }[]): Promise<void> {
    return releasePassageClaims(this.ctx, items);
  }

  stats(options: { tenantId?: string; fingerprint?: string | null } = {}): Promise<StoreStats> {
    return stats(this.ctx, options);
  }

  semantic(request: SemanticRetrieval): Promise<Candidate[]> {
    return semanticCandidates(this.ctx, request);
  }

  keyword(request: KeywordRetrieval): Promise<Candidate[]> {
    return keywordCandidates(this.ctx, request);
  }
}
