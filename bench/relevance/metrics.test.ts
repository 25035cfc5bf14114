import { describe, expect, it } from 'vitest';
import { mean, ndcgAt, recallAt, reciprocalRankAt, summarize } from './metrics.js';

// Figures below are worked out by hand (gain 2^g − 1, discount log2(rank + 1)).
const judged = { a: 2, b: 1 };

describe('nDCG@k', () => {
  it('is 1 for the ideal ordering and 0 when nothing relevant is in the top k', () => {
    expect(ndcgAt(['a', 'b', 'x'], judged)).toBe(1);
    expect(ndcgAt(['x', 'y', 'a'], judged, 2)).toBe(0);
    expect(ndcgAt([], judged)).toBe(0);
  });

  it('discounts by log2(rank + 1) with exponential gains', () => {
    // DCG = 3/log2(3) + 1/log2(4) = 1.89279 + 0.5; IDCG = 3/1 + 1/log2(3) = 3.63093.
    expect(ndcgAt(['x', 'a', 'b'], judged)).toBeCloseTo(2.39279 / 3.63093, 5);
    expect(ndcgAt(['x', 'a', 'b'], judged)).toBeCloseTo(0.659, 3);
    // The partial answer first: DCG = 1 + 3/log2(3) = 2.89279.
    expect(ndcgAt(['b', 'a'], judged)).toBeCloseTo(2.89279 / 3.63093, 5);
  });

  it('counts a repeated document once, at its first position', () => {
    expect(ndcgAt(['a', 'a', 'b'], judged)).toBe(1);
    expect(ndcgAt(['x', 'x', 'a', 'b'], judged)).toBeCloseTo(0.659, 3);
  });

  it('normalizes by the ideal top k only', () => {
    // Three full answers, k = 2: the ideal is two of them; one at rank 1 gives 1 / (1 + 1/log2(3)).
    expect(ndcgAt(['a', 'x'], { a: 2, b: 2, c: 2 }, 2)).toBeCloseTo(3 / (3 + 3 / Math.log2(3)), 10);
  });

  it('is undefined without a relevant document (grade 0 is not relevant)', () => {
    expect(ndcgAt(['a'], {})).toBeUndefined();
    expect(ndcgAt(['a'], { a: 0 })).toBeUndefined();
  });
});

describe('Recall@k', () => {
  it('is the share of relevant documents in the top k, any grade', () => {
    expect(recallAt(['x', 'a'], judged)).toBe(0.5);
    expect(recallAt(['b', 'x', 'a'], judged)).toBe(1);
    expect(recallAt(['b', 'x', 'a'], judged, 2)).toBe(0.5);
    expect(recallAt(['b', 'b'], judged)).toBe(0.5);
    expect(recallAt([], {})).toBeUndefined();
  });
});

describe('MRR@k', () => {
  it('is 1/rank of the first relevant document, 0 past k', () => {
    expect(reciprocalRankAt(['a'], judged)).toBe(1);
    expect(reciprocalRankAt(['x', 'y', 'b'], judged)).toBeCloseTo(1 / 3, 10);
    expect(reciprocalRankAt(['x', 'x', 'y', 'b'], judged)).toBeCloseTo(1 / 3, 10);
    expect(reciprocalRankAt(['x', 'y', 'b'], judged, 2)).toBe(0);
    expect(reciprocalRankAt(['x'], {})).toBeUndefined();
  });
});

describe('summarize', () => {
  it('averages over answerable queries and counts zero-hit and unanswerable-with-hit shares', () => {
    const s = summarize([
      { ranking: [], judgments: { a: 2 } },
      { ranking: ['x', 'a'], judgments: { a: 2 } },
      { ranking: ['z'], judgments: {} },
      { ranking: [], judgments: {} },
      { ranking: ['y'], judgments: {} },
    ]);
    expect(s.answerable).toBe(2);
    expect(s.unanswerable).toBe(3);
    expect(s.ndcg10).toBeCloseTo((0 + 1 / Math.log2(3)) / 2, 10);
    expect(s.recall10).toBe(0.5);
    expect(s.mrr10).toBe(0.25);
    expect(s.zeroHit).toBe(0.5);
    expect(s.unanswerableWithHit).toBeCloseTo(2 / 3, 10);
  });

  it('counts confident first hits: precision over every query, confident hits for unanswerable ones, low-confidence answerable ones', () => {
    const s = summarize([
      { ranking: ['a'], judgments: { a: 2 } },
      { ranking: ['x', 'a'], judgments: { a: 2 } },
      { ranking: ['a'], judgments: { a: 1 }, lowConfidence: true },
      { ranking: [], judgments: { a: 2 } },
      { ranking: ['z'], judgments: {} },
      { ranking: ['y'], judgments: {}, lowConfidence: true },
    ]);
    // Confident first hits: a (right), x (wrong), z (wrong: no answer exists).
    expect(s.firstHitPrecision).toBeCloseTo(1 / 3, 10);
    expect(s.unanswerableWithHit).toBe(1);
    expect(s.unanswerableConfident).toBe(0.5);
    expect(s.answerableLowConfidence).toBe(0.25);
    expect(summarize([{ ranking: [], judgments: { a: 2 } }]).firstHitPrecision).toBeUndefined();
  });

  it('leaves figures undefined for groups without such queries', () => {
    const s = summarize([{ ranking: ['a'], judgments: { a: 1 } }]);
    expect(s.unanswerableWithHit).toBeUndefined();
    expect(s.zeroHit).toBe(0);
    expect(mean([undefined])).toBeUndefined();
  });
});
