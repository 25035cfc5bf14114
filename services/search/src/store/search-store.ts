import type { NearestUser, UserUnitOfWork } from '../core/personalization/ports.js';
import type { ModelCoverage, ServingChange, Serving, StoredModel } from '../core/rotation/ports.js';
import type { Candidate, KeywordRetrieval, ModelRef, SemanticRetrieval } from '../core/search/ports.js';
import { claimJobs, releaseJobs, storeBackfilled, type BackfillResult, type ClaimOptions, type ClaimedPassage } from './backfill.js';
import type { Db } from './db.js';
import type { DocumentInput } from './document-input.js';
import { planUpsert, type UpsertPlanItem } from './document-state.js';
import { deleteDocuments, getDocument, upsertDocuments, type StoredDocument, type UpsertOptions, type UpsertResult } from './documents.js';
import { keywordCandidates } from './keyword-search.js';
import { migrate, type MigrationResult } from './migrations.js';
import { dropModel, enqueueMissing, listModels, registerModel, servingState, setServing, type ModelRow } from './models.js';
import type { PassageOutcome } from './passage-outcome.js';
import * as personal from './personalization.js';
import { semanticCandidates } from './semantic-search.js';
import { modelCoverage, stats, type StoreStats } from './stats.js';
import { createStoreContext, type StoreConfig, type StoreContext } from './store-context.js';
import type { PassageKey } from './upsert-write.js';

/**
 * The storage layer as one object: the functions of this directory bound to
 * a Db and a validated config. It implements the core's ports — SearchIndex
 * (retrieval), ModelRegistry (rotation), InteractionStore (personalization)
 * — and the write paths the document core and the backfill use. SQL and row
 * mapping only: the policies live in the core. Closing the Db is the
 * caller's business.
 */
export class SearchStore {
  readonly ctx: StoreContext;
  /** Model digest → table key. Models are immutable once registered; a purge removes the entry. */
  private readonly keys = new Map<string, number>();

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
    const { db, schema, hnswM, hnswEfConstruction } = this.ctx;
    return migrate(db, { schema, hnswM, hnswEfConstruction });
  }

  /** The table key of a model's vectors (its digest, resolved once). */
  async keyOf(model: ModelRef): Promise<number> {
    const known = this.keys.get(model.digest);
    if (known !== undefined) return known;
    for (const m of await listModels(this.ctx)) this.keys.set(m.digest, m.key);
    const key = this.keys.get(model.digest);
    if (key === undefined) throw new Error(`model ${model.digest} is not registered`);
    return key;
  }

  // --- retrieval (core/search SearchIndex) -----------------------------------

  async semantic(request: SemanticRetrieval): Promise<Candidate[]> {
    return semanticCandidates(this.ctx, request, await this.keyOf(request.model));
  }

  keyword(request: KeywordRetrieval): Promise<Candidate[]> {
    return keywordCandidates(this.ctx, request);
  }

  // --- models (core/rotation ModelRegistry) ----------------------------------

  async serving(): Promise<Serving> {
    const s = await servingState(this.ctx);
    for (const m of [s.current, s.next, s.previous]) if (m) this.keys.set(m.digest, m.key);
    return s;
  }

  async register(model: ModelRef & { modelId: string }): Promise<StoredModel> {
    const row: ModelRow = await registerModel(this.ctx, {
      digest: model.digest,
      modelId: model.modelId,
      profile: model.profile,
      dimensions: model.dimensions,
      fixture: model.fixture,
    });
    this.keys.set(row.digest, row.key);
    return row;
  }

  setServing(expectGeneration: number, change: ServingChange): Promise<boolean> {
    return setServing(this.ctx, expectGeneration, {
      current: change.current?.key ?? null,
      next: change.next?.key ?? null,
      previous: change.previous?.key ?? null,
      autoCutover: change.autoCutover,
    });
  }

  enqueueMissing(model: StoredModel): Promise<number> {
    return enqueueMissing(this.ctx, model.key);
  }

  async coverage(): Promise<{ passages: number; models: ModelCoverage[] }> {
    return modelCoverage(this.ctx);
  }

  async drop(model: StoredModel): Promise<number> {
    const n = await dropModel(this.ctx, model.key);
    this.keys.delete(model.digest);
    return n;
  }

  // --- documents ---------------------------------------------------------------

  planUpsert(docs: readonly DocumentInput[], modelKey: number | null): Promise<UpsertPlanItem[]> {
    return planUpsert(this.ctx, docs, modelKey);
  }

  upsertDocuments(docs: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
    return upsertDocuments(this.ctx, docs, options);
  }

  deleteDocuments(tenantId: string, ids: readonly string[]): Promise<number> {
    return deleteDocuments(this.ctx, tenantId, ids);
  }

  getDocument(tenantId: string, id: string, modelKey: number | null): Promise<StoredDocument | null> {
    return getDocument(this.ctx, tenantId, id, modelKey);
  }

  stats(options: { tenantId?: string; modelKey: number | null }): Promise<StoreStats> {
    return stats(this.ctx, options);
  }

  // --- backfill ------------------------------------------------------------------

  claimJobs(options: ClaimOptions): Promise<ClaimedPassage[]> {
    return claimJobs(this.ctx, options);
  }

  storeBackfilled(model: { key: number; dimensions: number }, items: readonly (ClaimedPassage & { outcome: PassageOutcome })[]): Promise<BackfillResult> {
    return storeBackfilled(this.ctx, model, items);
  }

  releaseJobs(modelKey: number, items: readonly PassageKey[]): Promise<void> {
    return releaseJobs(this.ctx, modelKey, items);
  }

  // --- personalization (core/personalization InteractionStore) --------------------

  async taste(tenantId: string, userId: string, model: ModelRef): Promise<number[] | undefined> {
    return personal.taste(this.ctx, this.ctx.db, tenantId, userId, await this.keyOf(model));
  }

  async documentVectors(tenantId: string, documentIds: readonly string[], model: ModelRef): Promise<Map<string, number[]>> {
    return personal.documentVectors(this.ctx, this.ctx.db, tenantId, documentIds, await this.keyOf(model));
  }

  withUser<T>(tenantId: string, userId: string, fn: (u: UserUnitOfWork) => Promise<T>): Promise<T> {
    return personal.withUser(this.ctx, tenantId, userId, (m) => this.keyOf(m), undefined, fn);
  }

  withUserIn<T>(tenantId: string, userId: string, model: ModelRef, fn: (u: UserUnitOfWork) => Promise<T>): Promise<T> {
    return personal.withUser(this.ctx, tenantId, userId, (m) => this.keyOf(m), model, fn);
  }

  forgetUser(tenantId: string, userId: string): Promise<number> {
    return personal.forgetUser(this.ctx, tenantId, userId);
  }

  interactedDocuments(tenantId: string, userId: string): Promise<Set<string>> {
    return personal.interactedDocuments(this.ctx, tenantId, userId);
  }

  async nearestUsers(tenantId: string, vector: readonly number[], model: ModelRef, k: number, excludeUserId: string): Promise<NearestUser[]> {
    return personal.nearestUsers(this.ctx, tenantId, vector, model, await this.keyOf(model), k, excludeUserId);
  }

  usersWithSignals(after: { tenantId: string; userId: string } | undefined, limit: number) {
    return personal.usersWithSignals(this.ctx, after, limit);
  }
}
