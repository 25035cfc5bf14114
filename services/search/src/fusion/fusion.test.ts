import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './rrf.js';
import { weightedFusion } from './weighted.js';

interface Hit {
  id: string;
  score: number;
  snippet: string;
}
const hits = (side: string, ...pairs: [string, number][]): Hit[] => pairs.map(([id, score]) => ({ id, score, snippet: `${side}:${id}` }));

const semantic = hits('s', ['a', 0.9], ['b', 0.8], ['c', 0.7]);
const keyword = hits('k', ['c', 0.6], ['d', 0.3], ['a', 0.1]);

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over both lists', () => {
    const fused = reciprocalRankFusion(semantic, keyword);
    const byId = Object.fromEntries(fused.map((h) => [h.id, h]));
    expect(byId.a.score).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(byId.c.score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(byId.b.score).toBeCloseTo(1 / 62, 12);
    expect(byId.d.score).toBeCloseTo(1 / 62, 12);
  });

  it('orders by fused score, ties by best rank then id', () => {
    // a and c tie (1/61 + 1/63); both have a best rank of 1 → id order. b and d tie at 1/62, best rank 2 → id order.
    expect(reciprocalRankFusion(semantic, keyword).map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('carries both raw sub-scores and ranks', () => {
    const a = reciprocalRankFusion(semantic, keyword).find((h) => h.id === 'a')!;
    expect(a).toMatchObject({ semanticScore: 0.9, keywordScore: 0.1, semanticRank: 1, keywordRank: 3 });
    const d = reciprocalRankFusion(semantic, keyword).find((h) => h.id === 'd')!;
    expect(d).toMatchObject({ semanticScore: 0, keywordScore: 0.3, semanticRank: null, keywordRank: 2 });
  });

  it('shows the hit from the side where the document ranks better', () => {
    const fused = reciprocalRankFusion(semantic, keyword);
    expect(fused.find((h) => h.id === 'a')!.hit.snippet).toBe('s:a');
    expect(fused.find((h) => h.id === 'c')!.hit.snippet).toBe('k:c');
  });

  it('respects k', () => {
    const [top] = reciprocalRankFusion(semantic, [], { k: 0 });
    expect(top.score).toBe(1);
    expect(() => reciprocalRankFusion(semantic, keyword, { k: -1 })).toThrow(/rrf k/);
  });

  it('handles empty lists and keeps the first position of a repeated id', () => {
    expect(reciprocalRankFusion([], [])).toEqual([]);
    const fused = reciprocalRankFusion(hits('s', ['a', 0.9], ['a', 0.5]), []);
    expect(fused).toHaveLength(1);
    expect(fused[0].semanticRank).toBe(1);
  });
});

describe('weightedFusion', () => {
  it('min-max normalizes each side and weights them', () => {
    const fused = weightedFusion(semantic, keyword, { semanticWeight: 0.5 });
    const byId = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    // semantic: a=1, b=0.5, c=0; keyword: c=1, d=0.4, a=0
    expect(byId.a).toBeCloseTo(0.5, 12);
    expect(byId.b).toBeCloseTo(0.25, 12);
    expect(byId.c).toBeCloseTo(0.5, 12);
    expect(byId.d).toBeCloseTo(0.2, 12);
  });

  it('weight 1 is pure semantic order, weight 0 pure keyword order', () => {
    expect(weightedFusion(semantic, keyword, { semanticWeight: 1 }).map((h) => h.id).slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(weightedFusion(semantic, keyword, { semanticWeight: 0 }).map((h) => h.id).slice(0, 3)).toEqual(['c', 'd', 'a']);
  });

  it('normalizes a single-hit or flat list to 1', () => {
    const [only] = weightedFusion(hits('s', ['x', 0.42]), [], { semanticWeight: 0.7 });
    expect(only.score).toBeCloseTo(0.7, 12);
    const flat = weightedFusion(hits('s', ['x', 0.5], ['y', 0.5]), []);
    expect(flat.map((h) => h.score)).toEqual([0.5, 0.5]);
  });

  it('defaults to 0.5 and rejects weights outside 0..1', () => {
    expect(weightedFusion(semantic, keyword)[0].score).toBeCloseTo(0.5, 12);
    expect(() => weightedFusion(semantic, keyword, { semanticWeight: 1.5 })).toThrow(/semantic_weight/);
    expect(() => weightedFusion(semantic, keyword, { semanticWeight: Number.NaN })).toThrow(/semantic_weight/);
  });

  it('carries the raw sub-scores', () => {
    const c = weightedFusion(semantic, keyword).find((h) => h.id === 'c')!;
    expect(c).toMatchObject({ semanticScore: 0.7, keywordScore: 0.6 });
  });
});
