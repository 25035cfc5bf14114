import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractionsCore, rebuildTastesIn } from '../core/personalization/interactions-core.js';
import { preferences, type SignalInput } from '../core/personalization/signals.js';
import { centroid, dot, tasteVector } from '../core/personalization/taste.js';
import { chunkDocument } from '../passages/chunker.js';
import type { DocumentInput } from './document-input.js';
import { quoteIdent } from './identifiers.js';
import { hashEmbedding, openTestStore, type TestStore } from './test-support/fixtures.js';

/**
 * Personalization on the real store (PGlite, or Postgres in CI): taste
 * vectors are exactly the documented formula over the stored signals, in
 * every kept model and after a rotation; Recommend, SimilarUsers and
 * ForgetUser keep to their contracts.
 */
const DIMS = 16;
const M1 = 'model-one';
const M2 = 'model-two';

const doc = (tenantId: string, id: string, content: string): DocumentInput => ({ tenantId, id, locale: 'en', title: id, content });
const docs = [
  doc('t', 'hobbit', 'dragons wizards rings mountains'),
  doc('t', 'rings', 'rings wizards elves orcs'),
  doc('t', 'thrones', 'dragons kings swords winter'),
  doc('t', 'speech', 'king stammer radio war speech'),
  doc('t', 'crown', 'queen palace politics family'),
  doc('t', 'darkest', 'war cabinet speech parliament'),
  // Long: several passages, so its vector is a mean.
  doc('t', 'atlas', Array.from({ length: 600 }, (_, i) => ['maps', 'rivers', 'mountains', 'roads'][i % 4]).join(' ')),
  doc('other', 'hobbit', 'another tenant entirely'),
];

/** Vectors a model would give (a different hash per model, so the two models disagree). */
const embed = (model: string, text: string) => hashEmbedding(`${model} ${text} ${text}`, DIMS).map((x, i) => (model === M2 ? x * (1 + (i % 3)) : x));

describe('personalization in the store', () => {
  let t: TestStore;
  let core: InteractionsCore;
  const vectorsOf = (model: string) => docs.map((d) => chunkDocument({ title: d.title ?? '', content: d.content ?? '' }).passages.map((p) => embed(model, p.embeddingText)));

  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS, digests: [M1, M2] });
    const s = await t.store.serving();
    await t.store.setServing(s.generation, { current: t.models[M1], next: undefined, previous: undefined, autoCutover: true });
    await t.store.upsertDocuments(docs, { model: t.models[M1], embeddings: vectorsOf(M1) });
    core = new InteractionsCore({ store: t.store, index: t.store, servingModel: () => t.models[M1] });
  });
  afterAll(() => t.cleanup());

  /** The formula in taste.ts, computed here from the test's own vectors. */
  const expectedTaste = (model: string, tenantId: string, signals: SignalInput[]) => {
    const vectors = vectorsOf(model);
    const byId = new Map(docs.filter((d) => d.tenantId === tenantId).map((d) => [d.id, vectors[docs.indexOf(d)]]));
    const prefs = preferences(signals.map((s, i) => ({ documentId: s.documentId, kind: s.kind, value: s.kind === 'rating' ? (s.rating! - 3) / 2 : s.kind === 'like' ? 1 : s.kind === 'dislike' ? -1 : 0.25, weight: s.weight ?? 1, at: i })));
    return tasteVector(prefs, new Map([...byId].map(([id, passages]) => [id, centroid(passages)!])))!;
  };

  const fanSignals: SignalInput[] = [
    { documentId: 'hobbit', kind: 'rating', rating: 5 },
    { documentId: 'rings', kind: 'like', weight: 2 },
    { documentId: 'atlas', kind: 'rating', rating: 4 },
    { documentId: 'speech', kind: 'rating', rating: 1 },
    { documentId: 'crown', kind: 'rating', rating: 3 }, // neutral: ignored
  ];

  it('keeps the taste equal to the documented formula over the stored signals (cosine ≥ 0.9999)', async () => {
    expect(await core.record({ tenantId: 't', userId: 'fan', interactions: fanSignals })).toEqual({ recorded: 5, tastes: 1 });
    const taste = (await t.store.taste('t', 'fan', t.models[M1]))!;
    expect(dot(taste, expectedTaste(M1, 't', fanSignals))).toBeGreaterThan(0.9999);
  });

  it('is rebuilt from the same signals in a new model before it serves (also ≥ 0.9999)', async () => {
    // The next model's vectors, as the backfill would write them.
    await t.store.upsertDocuments(docs, { model: t.models[M2], embeddings: vectorsOf(M2) });
    await rebuildTastesIn(t.store, t.models[M2]);
    const taste = (await t.store.taste('t', 'fan', t.models[M2]))!;
    expect(taste).toHaveLength(DIMS);
    expect(dot(taste, expectedTaste(M2, 't', fanSignals))).toBeGreaterThan(0.9999);
    expect(dot(taste, (await t.store.taste('t', 'fan', t.models[M1]))!)).toBeLessThan(0.9999); // really another model's
  });

  it('SimilarUsers ranks the user with matching ratings first', async () => {
    await core.record({ tenantId: 't', userId: 'twin', interactions: [{ documentId: 'hobbit', kind: 'like' }, { documentId: 'rings', kind: 'rating', rating: 5 }] });
    await core.record({ tenantId: 't', userId: 'opposite', interactions: [{ documentId: 'speech', kind: 'like' }, { documentId: 'hobbit', kind: 'dislike' }] });
    await core.record({ tenantId: 'other', userId: 'twin', interactions: [{ documentId: 'hobbit', kind: 'like' }] });
    const { users } = await core.similarUsers({ tenantId: 't', userId: 'fan' });
    expect(users.map((u) => u.userId)).toEqual(['twin', 'opposite']);
    expect(users[0].score).toBeGreaterThan(users[1].score);
  });

  it('Recommend never returns a rated document or another tenant\'s', async () => {
    const { hits } = await core.recommend({ tenantId: 't', userId: 'fan', limit: 10 });
    const rated = new Set(fanSignals.map((s) => s.documentId));
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.filter((h) => rated.has(h.id))).toEqual([]);
    expect(hits.every((h) => docs.some((d) => d.tenantId === 't' && d.id === h.id))).toBe(true);
    expect(hits.map((h) => h.id)).toContain('thrones'); // dragons, like the hobbit
  });

  it('ForgetUser leaves no row of that user, in any table, and nobody else loses theirs', async () => {
    expect((await core.forget({ tenantId: 't', userId: 'fan' })).removed).toBeGreaterThan(0);
    const s = quoteIdent(t.testDb.schema);
    const count = async (table: string) =>
      Number((await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.${table} WHERE tenant_id = 't' AND user_id = 'fan'`)).rows[0].n);
    expect(await count('interactions')).toBe(0);
    expect(await count(`tastes_${t.models[M1].key}`)).toBe(0);
    expect(await count(`tastes_${t.models[M2].key}`)).toBe(0);
    expect(await t.store.taste('t', 'twin', t.models[M1])).toBeDefined();
    expect((await core.recommend({ tenantId: 't', userId: 'fan' })).note).toMatch(/no history/);
  });
});
