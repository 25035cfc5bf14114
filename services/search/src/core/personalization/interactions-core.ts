import { invalidArgument } from '../../../../../shared/errors.js';
import { logger } from '../../../../../shared/logger.js';
import type { Candidate, ModelRef, SearchIndex } from '../search/ports.js';
import { parseFilters, type SearchRequestInput } from '../search/query.js';
import { assertDocumentId, assertTenantId, assertUserId } from '../ids.js';
import type { InteractionStore, NearestUser, UserUnitOfWork } from './ports.js';
import { MAX_SIGNALS_PER_CALL, mergeSignal, parseSignal, preferences, type SignalInput, type StoredSignal } from './signals.js';
import { tasteVector } from './taste.js';

export const MAX_RECOMMEND_LIMIT = 100;
export const MAX_SIMILAR_USERS = 100;

export interface InteractionsCoreDeps {
  store: InteractionStore;
  index: SearchIndex;
  /** The model queries are served with now (whose tastes Recommend and SimilarUsers use). */
  servingModel: () => ModelRef | undefined;
  now?: () => number;
}

/**
 * Users' signals on documents and what follows from them: taste vectors
 * kept current in the same transaction as the signals, recommendations near
 * the taste, users with similar tastes, and forgetting a user.
 */
export class InteractionsCore {
  constructor(private readonly d: InteractionsCoreDeps) {}

  async record(input: { tenantId: string; userId: string; interactions: readonly SignalInput[] }): Promise<{ recorded: number; tastes: number }> {
    const tenantId = assertTenantId(input.tenantId);
    const userId = assertUserId(input.userId);
    if (input.interactions.length === 0) throw invalidArgument('interactions is empty: send at least one signal', 'empty_interactions');
    if (input.interactions.length > MAX_SIGNALS_PER_CALL) {
      throw invalidArgument(`${input.interactions.length} interactions sent, the limit is ${MAX_SIGNALS_PER_CALL} per call; split them`, 'too_many_interactions');
    }
    const now = (this.d.now ?? Date.now)();
    const incoming = input.interactions.map((s, i) => {
      assertDocumentId(s.documentId, `interactions[${i}].document_id`);
      return parseSignal(s, i, now);
    });
    const result = await this.d.store.withUser(tenantId, userId, async (u) => {
      const docIds = [...new Set(incoming.map((s) => s.documentId))];
      const existing = await u.existingDocuments(docIds);
      const missing = docIds.filter((id) => !existing.has(id));
      if (missing.length > 0) {
        throw invalidArgument(`${missing.length} interaction(s) name documents the tenant does not have (first: ${JSON.stringify(missing[0])}); upsert them first`, 'unknown_document');
      }
      const stored = new Map((await u.signals()).map((s) => [key(s), s]));
      const changed = new Map<string, StoredSignal>();
      for (const s of incoming) {
        const merged = mergeSignal(changed.get(key(s)) ?? stored.get(key(s)), s);
        changed.set(key(s), merged);
        stored.set(key(s), merged);
      }
      await u.putSignals([...changed.values()]);
      const tastes = await refreshTastes(u, [...stored.values()]);
      return { recorded: incoming.length, tastes };
    });
    logger.info({ tenantId, signals: result.recorded, tastes: result.tastes }, 'interactions recorded');
    return result;
  }

  /** Documents nearest the user's taste, never one the user already has a signal on. */
  async recommend(input: { tenantId: string; userId: string; limit?: number; locale?: string; filters?: SearchRequestInput['filters'] }): Promise<{ hits: Candidate[]; note: string }> {
    const tenantId = assertTenantId(input.tenantId);
    const userId = assertUserId(input.userId);
    const limit = input.limit || 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECOMMEND_LIMIT) throw invalidArgument(`limit must be 1..${MAX_RECOMMEND_LIMIT}`, 'bad_limit');
    const filters = parseFilters(input.locale, input.filters);
    const model = this.d.servingModel();
    if (!model) return { hits: [], note: 'no recommendations: no model is known yet' };
    const taste = await this.d.store.taste(tenantId, userId, model);
    if (!taste) return { hits: [], note: 'no recommendations: the user has no history yet' };
    const seen = await this.d.store.interactedDocuments(tenantId, userId);
    const depth = Math.min(limit + seen.size, 1000);
    const found = await this.d.index.semantic({ tenantId, vector: taste, model, filters, depth, efSearch: undefined });
    return { hits: found.filter((c) => !seen.has(c.id)).slice(0, limit), note: '' };
  }

  async similarUsers(input: { tenantId: string; userId: string; limit?: number }): Promise<{ users: NearestUser[]; note: string }> {
    const tenantId = assertTenantId(input.tenantId);
    const userId = assertUserId(input.userId);
    const limit = input.limit || 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SIMILAR_USERS) throw invalidArgument(`limit must be 1..${MAX_SIMILAR_USERS}`, 'bad_limit');
    const model = this.d.servingModel();
    if (!model) return { users: [], note: 'no similar users: no model is known yet' };
    const taste = await this.d.store.taste(tenantId, userId, model);
    if (!taste) return { users: [], note: 'no similar users: the user has no history yet' };
    return { users: await this.d.store.nearestUsers(tenantId, taste, model, limit, userId), note: '' };
  }

  async forget(input: { tenantId: string; userId: string }): Promise<{ removed: number }> {
    const tenantId = assertTenantId(input.tenantId);
    const userId = assertUserId(input.userId);
    const removed = await this.d.store.forgetUser(tenantId, userId);
    logger.info({ tenantId, removed }, 'user forgotten');
    return { removed };
  }
}

/** Recomputes the user's taste in every kept model from all their signals (the formula in taste.ts). */
export async function refreshTastes(u: UserUnitOfWork, signals: readonly StoredSignal[]): Promise<number> {
  const prefs = preferences(signals);
  let written = 0;
  for (const model of await u.models()) {
    const vectors = prefs.size > 0 ? await u.documentVectors([...prefs.keys()], model) : new Map<string, number[]>();
    const taste = tasteVector(prefs, vectors);
    await u.putTaste(model, taste, prefs.size);
    if (taste) written++;
  }
  return written;
}

function key(s: { documentId: string; kind: string }): string {
  return `${s.kind}\u0000${s.documentId}`;
}
