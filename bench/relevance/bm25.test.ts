import { describe, expect, it } from 'vitest';
import { Bm25Index } from './bm25.js';

// N = 3, document lengths 2, 3, 1 (avgdl 2), k1 = 1.2, b = 0.75; figures worked out by hand.
const index = new Bm25Index([
  { id: 'd1', lang: 'en', title: 'apple', content: 'banana' },
  { id: 'd2', lang: 'en', title: '', content: 'apple apple cherry' },
  { id: 'd3', lang: 'en', title: 'dates', content: '' },
]);

describe('Okapi BM25', () => {
  it('uses idf = ln(1 + (N − df + 0.5) / (df + 0.5))', () => {
    expect(index.idf('cherry')).toBeCloseTo(Math.log(1 + 2.5 / 1.5), 12);
    expect(index.idf('apple')).toBeCloseTo(Math.log(1.6), 12);
    expect(index.idf('unknown')).toBeCloseTo(Math.log(1 + 3.5 / 0.5), 12);
  });

  it('scores term frequency with length normalization', () => {
    // d2: tf 1, |d| 3 → 0.980829 · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 1.5)) = 0.814273
    expect(index.search('cherry', 'en')).toEqual([{ id: 'd2', score: expect.closeTo(0.814273, 5) }]);
    // d1: tf 1, |d| 2 → idf · 1 = 0.470004; d2: tf 2, |d| 3 → idf · 4.4 / 3.65 = 0.566580
    expect(index.search('apple', 'en')).toEqual([
      { id: 'd2', score: expect.closeTo(0.56658, 5) },
      { id: 'd1', score: expect.closeTo(0.470004, 5) },
    ]);
  });

  it('sums distinct query terms, finds stemmed forms and returns only matching documents', () => {
    const hits = index.search('apples and a date, apple', 'en');
    expect(hits.map((h) => h.id)).toEqual(['d3', 'd2', 'd1']);
    expect(hits[1].score).toBeCloseTo(0.56658, 5);
    expect(index.search('kiwi', 'en')).toEqual([]);
    expect(index.search('apple', 'en', 1)).toHaveLength(1);
  });
});
