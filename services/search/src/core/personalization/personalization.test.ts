import { describe, expect, it } from 'vitest';
import { candidate, FakeIndex } from '../search/fakes.js';
import type { ModelRef } from '../search/ports.js';
import { parseSearchQuery } from '../search/query.js';
import type { RankedHit } from '../search/ranked.js';
import { MemoryInteractionStore } from './fakes.js';
import { InteractionsCore } from './interactions-core.js';
import { PersonalizeReranker } from './personalize.js';
import { mergeSignal, parseSignal, preferences, ratingValue } from './signals.js';
import { centroid, dot, tasteVector } from './taste.js';

const M1: ModelRef = { digest: 'm1', profile: 'e5', dimensions: 3, fixture: false };
const M2: ModelRef = { digest: 'm2', profile: 'e5', dimensions: 2, fixture: false };

describe('signals', () => {
  it('maps ratings around a neutral 3, likes and dislikes to ±1, clicks to a capped +0.25 each', () => {
    expect([1, 2, 3, 4, 5].map(ratingValue)).toEqual([-1, -0.5, 0, 0.5, 1]);
    const click = parseSignal({ documentId: 'd', kind: 'click' }, 0, 1);
    let merged = click;
    for (let i = 0; i < 6; i++) merged = mergeSignal(merged, click);
    expect(merged.value * merged.weight).toBe(1);
    // States replace.
    const liked = parseSignal({ documentId: 'd', kind: 'rating', rating: 5 }, 0, 1);
    expect(mergeSignal(liked, parseSignal({ documentId: 'd', kind: 'rating', rating: 1 }, 0, 2)).value).toBe(-1);
  });

  it('ignores neutral documents and nets kinds on the same document', () => {
    const s = (documentId: string, kind: 'rating' | 'like' | 'dislike', rating?: number) => parseSignal({ documentId, kind, rating }, 0, 1);
    const p = preferences([s('a', 'rating', 3), s('b', 'like'), s('b', 'rating', 1), s('c', 'dislike'), s('d', 'rating', 4)]);
    expect([...p]).toEqual([
      ['c', -1],
      ['d', 0.5],
    ]);
  });

  it.each([
    [{ documentId: 'd', kind: 'rating' as const, rating: 6 }, /rating/],
    [{ documentId: 'd', kind: 'rating' as const }, /rating/],
    [{ documentId: 'd', kind: 'like' as const, weight: 0 }, /weight/],
    [{ documentId: 'd', kind: 'like' as const, weight: 101 }, /weight/],
    [{ documentId: 'd', kind: 'shout' as never }, /kind/],
  ])('refuses a malformed signal %#', (input, message) => {
    expect(() => parseSignal(input, 0, 1)).toThrowError(expect.objectContaining({ kind: 'invalid_argument', message: expect.stringMatching(message) }));
  });
});

describe('taste vector', () => {
  it('is the normalized preference-weighted sum of document vectors', () => {
    const prefs = new Map([
      ['a', 1],
      ['b', -0.5],
    ]);
    const vecs = new Map([
      ['a', [1, 0, 0]],
      ['b', [0, 1, 0]],
    ]);
    const t = tasteVector(prefs, vecs)!;
    const expected = [1, -0.5, 0].map((x) => x / Math.hypot(1, 0.5));
    expect(dot(t, expected)).toBeCloseTo(1, 12);
    expect(tasteVector(new Map(), vecs)).toBeUndefined();
    expect(tasteVector(new Map([['zzz', 1]]), vecs)).toBeUndefined();
  });
});

describe('InteractionsCore (in-memory store)', () => {
  function setup() {
    const store = new MemoryInteractionStore([M1, M2]);
    store.addDocument('t', 'fantasy', M1, [[1, 0, 0], [0.9, 0.1, 0]]);
    store.addDocument('t', 'drama', M1, [[0, 1, 0]]);
    store.addDocument('t', 'docs', M1, [[0, 0, 1]]);
    store.addDocument('t', 'fantasy', M2, [[1, 0]]);
    store.addDocument('t', 'drama', M2, [[0, 1]]);
    const index = new FakeIndex([candidate('fantasy', 0.9), candidate('drama', 0.8), candidate('docs', 0.7)]);
    const core = new InteractionsCore({ store, index, servingModel: () => M1, now: () => 1000 });
    return { store, core, index };
  }

  it('keeps a taste per kept model equal to the formula, in the same unit of work as the signals', async () => {
    const { store, core } = setup();
    expect(await core.record({ tenantId: 't', userId: 'u', interactions: [{ documentId: 'fantasy', kind: 'like' }, { documentId: 'drama', kind: 'rating', rating: 2 }] })).toEqual({ recorded: 2, tastes: 2 });
    const fantasy = centroid([[1, 0, 0], [0.9, 0.1, 0]])!;
    const expected = tasteVector(new Map([['fantasy', 1], ['drama', -0.5]]), new Map([['fantasy', fantasy], ['drama', [0, 1, 0]]]))!;
    expect(dot((await store.taste('t', 'u', M1))!, expected)).toBeGreaterThan(0.9999);
    expect(await store.taste('t', 'u', M2)).toHaveLength(2);
  });

  it('refuses signals on unknown documents and changes nothing', async () => {
    const { store, core } = setup();
    await expect(core.record({ tenantId: 't', userId: 'u', interactions: [{ documentId: 'fantasy', kind: 'like' }, { documentId: 'nope', kind: 'like' }] })).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(store.signals.size + store.tastes.size).toBe(0);
  });

  it('recommends near the taste and never what the user rated; similar users rank the matching user first', async () => {
    const { core } = setup();
    await core.record({ tenantId: 't', userId: 'fan', interactions: [{ documentId: 'fantasy', kind: 'rating', rating: 5 }] });
    await core.record({ tenantId: 't', userId: 'twin', interactions: [{ documentId: 'fantasy', kind: 'rating', rating: 4 }] });
    await core.record({ tenantId: 't', userId: 'other', interactions: [{ documentId: 'drama', kind: 'like' }] });
    const rec = await core.recommend({ tenantId: 't', userId: 'fan', limit: 5 });
    expect(rec.hits.map((h) => h.id)).not.toContain('fantasy');
    const similar = await core.similarUsers({ tenantId: 't', userId: 'fan' });
    expect(similar.users[0].userId).toBe('twin');
    expect(similar.users.map((u) => u.userId)).not.toContain('fan');
  });

  it('forgets a user entirely', async () => {
    const { store, core } = setup();
    await core.record({ tenantId: 't', userId: 'u', interactions: [{ documentId: 'fantasy', kind: 'like' }] });
    expect((await core.forget({ tenantId: 't', userId: 'u' })).removed).toBeGreaterThan(0);
    expect(store.signals.get('t/u')).toBeUndefined();
    expect([...store.tastes.keys()].filter((k) => k.endsWith('/t/u'))).toEqual([]);
  });
});

describe('PersonalizeReranker', () => {
  const ranked = (): RankedHit[] =>
    ['fantasy', 'drama', 'docs'].map((id, i) => ({ candidate: candidate(id, 0.9 - i * 0.01), score: 0.9 - i * 0.01, semanticScore: 0.9 - i * 0.01, keywordScore: undefined }));

  async function rerankFor(weight: number, likes: string) {
    const store = new MemoryInteractionStore([M1]);
    store.addDocument('t', 'fantasy', M1, [[1, 0, 0]]);
    store.addDocument('t', 'drama', M1, [[0, 1, 0]]);
    store.addDocument('t', 'docs', M1, [[0, 0, 1]]);
    const core = new InteractionsCore({ store, index: new FakeIndex(), servingModel: () => M1 });
    await core.record({ tenantId: 't', userId: 'u', interactions: [{ documentId: likes, kind: 'like' }] });
    const query = parseSearchQuery({ tenantId: 't', query: 'king', userId: 'u', personalizationWeight: weight });
    return new PersonalizeReranker(store).rerank(query, ranked(), { model: M1 });
  }

  it('weight 0 keeps the plain order exactly; weight 1 orders by taste alone', async () => {
    expect((await rerankFor(0, 'docs')).ranked.map((h) => h.candidate.id)).toEqual(['fantasy', 'drama', 'docs']);
    expect((await rerankFor(1, 'docs')).ranked[0].candidate.id).toBe('docs');
    expect((await rerankFor(1, 'drama')).ranked[0].candidate.id).toBe('drama');
  });

  it('opposite tastes give different first hits for the same query, and each hit carries its personal score', async () => {
    const a = await rerankFor(0.6, 'fantasy');
    const b = await rerankFor(0.6, 'drama');
    expect(a.ranked[0].candidate.id).toBe('fantasy');
    expect(b.ranked[0].candidate.id).toBe('drama');
    expect(a.ranked[0].personalScore).toBeCloseTo(1, 9);
  });

  it('a user without history gets the plain ranking, and the note says so', async () => {
    const store = new MemoryInteractionStore([M1]);
    const query = parseSearchQuery({ tenantId: 't', query: 'king', userId: 'new' });
    const out = await new PersonalizeReranker(store).rerank(query, ranked(), { model: M1 });
    expect(out.ranked.map((h) => h.candidate.id)).toEqual(['fantasy', 'drama', 'docs']);
    expect(out.note).toMatch(/no history/);
  });
});
