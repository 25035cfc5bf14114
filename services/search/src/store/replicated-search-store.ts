import type { Candidate, KeywordRetrieval, SemanticRetrieval } from '../core/search/ports.js';
import type { PassageEmbedding } from './backfill.js';
import type { Db } from './db.js';
import type { DocumentInput } from './document-input.js';
import type { StoredDocument, UpsertOptions, UpsertResult } from './documents.js';
import type { IndexDocumentsOptions, IndexDocumentsResult } from './index-documents.js';
import type { RoutedDb } from './routed-db.js';
import { SearchStore } from './search-store.js';
import type { StoreStats } from './stats.js';
import type { StoreConfig } from './store-context.js';

/**
 * The store with reads on replicas: Search (semantic, keyword), Get and Stats
 * go through the router (routed-db.ts has the consistency rule); writes,
 * migrations, the upsert plan and the backfill's claims stay on the primary,
 * and every write that changes what a tenant reads tells the router, so that
 * tenant's next reads see it. Backfill claims and releases change nothing a
 * read returns, so they are not reported.
 */
export class ReplicatedSearchStore extends SearchStore {
  private readonly readers = new Map<Db, SearchStore>();

  constructor(
    private readonly router: RoutedDb,
    config: StoreConfig = {},
  ) {
    super(router.primary, config);
    for (const db of [router.primary, ...router.replicas]) this.readers.set(db, new SearchStore(db, config));
  }

  private on(db: Db): SearchStore {
    return this.readers.get(db)!;
  }

  // --- reads ---------------------------------------------------------------

  override semantic(request: SemanticRetrieval): Promise<Candidate[]> {
    return this.router.read(request.tenantId, (db) => this.on(db).semantic(request));
  }

  override keyword(request: KeywordRetrieval): Promise<Candidate[]> {
    return this.router.read(request.tenantId, (db) => this.on(db).keyword(request));
  }

  override getDocument(tenantId: string, id: string): Promise<StoredDocument | null> {
    return this.router.read(tenantId, (db) => this.on(db).getDocument(tenantId, id));
  }

  override stats(options: { tenantId?: string; fingerprint?: string | null } = {}): Promise<StoreStats> {
    return this.router.read(options.tenantId || undefined, (db) => this.on(db).stats(options));
  }

  // --- writes (primary; the router remembers which tenants changed) -------------

  override indexDocuments(docs: readonly DocumentInput[], options: IndexDocumentsOptions): Promise<IndexDocumentsResult> {
    return this.noting(docs.map((d) => d.tenantId), () => super.indexDocuments(docs, options));
  }

  override upsertDocuments(docs: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
    return this.noting(docs.map((d) => d.tenantId), () => super.upsertDocuments(docs, options));
  }

  override deleteDocuments(tenantId: string, ids: readonly string[]): Promise<number> {
    return this.noting([tenantId], () => super.deleteDocuments(tenantId, ids));
  }

  override storePassageEmbeddings(items: readonly PassageEmbedding[], fingerprint: string): Promise<{ stored: number; skipped: number }> {
    return this.noting(items.map((i) => i.tenantId), () => super.storePassageEmbeddings(items, fingerprint));
  }

  /**
   * Runs a write, then reports its tenants — also when it failed, since a
   * failure after COMMIT (a lost reply) may still have changed them.
   */
  private async noting<T>(tenantIds: string[], write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      await this.router.wrote(tenantIds);
    }
  }
}
