import type { ModelRef } from '../search/ports.js';
import type { InteractionStore, NearestUser, UserUnitOfWork } from './ports.js';
import type { StoredSignal } from './signals.js';
import { centroid, dot } from './taste.js';

/** An in-memory InteractionStore for unit tests: documents' passage vectors per model, signals and tastes. */
export class MemoryInteractionStore implements InteractionStore {
  /** model digest → tenant/doc → passage vectors */
  readonly passages = new Map<string, Map<string, number[][]>>();
  readonly signals = new Map<string, StoredSignal[]>();
  readonly tastes = new Map<string, { vector: number[]; signals: number }>();
  constructor(public models: ModelRef[]) {}

  addDocument(tenantId: string, docId: string, model: ModelRef, passageVectors: number[][]): void {
    if (!this.passages.has(model.digest)) this.passages.set(model.digest, new Map());
    this.passages.get(model.digest)!.set(`${tenantId}/${docId}`, passageVectors);
  }

  async taste(tenantId: string, userId: string, model: ModelRef) {
    return this.tastes.get(`${model.digest}/${tenantId}/${userId}`)?.vector;
  }

  async documentVectors(tenantId: string, ids: readonly string[], model: ModelRef) {
    const out = new Map<string, number[]>();
    for (const id of ids) {
      const c = centroid(this.passages.get(model.digest)?.get(`${tenantId}/${id}`) ?? []);
      if (c) out.set(id, c);
    }
    return out;
  }

  async withUser<T>(tenantId: string, userId: string, fn: (u: UserUnitOfWork) => Promise<T>): Promise<T> {
    const userKey = `${tenantId}/${userId}`;
    // Transactional: work on copies, commit only when fn resolves.
    const signals = new Map((this.signals.get(userKey) ?? []).map((s) => [`${s.kind}/${s.documentId}`, s]));
    const tastes = new Map<string, { vector: number[]; signals: number } | undefined>();
    const u: UserUnitOfWork = {
      signals: async () => [...signals.values()],
      putSignals: async (list) => list.forEach((s) => signals.set(`${s.kind}/${s.documentId}`, s)),
      existingDocuments: async (ids) => new Set(ids.filter((id) => [...this.passages.values()].some((m) => m.has(`${tenantId}/${id}`)))),
      models: async () => this.models,
      documentVectors: (ids, model) => this.documentVectors(tenantId, ids, model),
      putTaste: async (model, vector, n) => void tastes.set(model.digest, vector ? { vector, signals: n } : undefined),
    };
    const out = await fn(u);
    this.signals.set(userKey, [...signals.values()]);
    for (const [digest, t] of tastes) {
      if (t) this.tastes.set(`${digest}/${userKey}`, t);
      else this.tastes.delete(`${digest}/${userKey}`);
    }
    return out;
  }

  async forgetUser(tenantId: string, userId: string) {
    const userKey = `${tenantId}/${userId}`;
    let removed = this.signals.get(userKey)?.length ?? 0;
    this.signals.delete(userKey);
    for (const k of [...this.tastes.keys()]) {
      if (!k.endsWith(`/${userKey}`)) continue;
      this.tastes.delete(k);
      removed++;
    }
    return removed;
  }

  async interactedDocuments(tenantId: string, userId: string) {
    return new Set((this.signals.get(`${tenantId}/${userId}`) ?? []).map((s) => s.documentId));
  }

  async nearestUsers(tenantId: string, vector: readonly number[], model: ModelRef, k: number, exclude: string): Promise<NearestUser[]> {
    const out: NearestUser[] = [];
    for (const [key, t] of this.tastes) {
      const [digest, tenant, user] = key.split('/');
      if (digest !== model.digest || tenant !== tenantId || user === exclude) continue;
      out.push({ userId: user, score: dot(vector, t.vector), signals: t.signals });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, k);
  }
}
