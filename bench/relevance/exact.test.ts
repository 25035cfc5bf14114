import { describe, expect, it } from 'vitest';
import { exactRanking } from './exact.js';

describe('exactRanking', () => {
  it('scores a document by its best passage and ranks by cosine', () => {
    const ranking = exactRanking(
      [1, 0],
      [
        { docId: 'a', vector: [0, 1] },
        { docId: 'a', vector: [4, 3] },
        { docId: 'b', vector: [1, 1] },
        { docId: 'c', vector: [-1, 0] },
      ],
    );
    expect(ranking.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(ranking[0].score).toBeCloseTo(0.8, 10);
    expect(ranking[1].score).toBeCloseTo(Math.SQRT1_2, 10);
    expect(ranking[2].score).toBeCloseTo(-1, 10);
  });

  it('breaks ties by id', () => {
    expect(exactRanking([1, 0], [{ docId: 'z', vector: [2, 0] }, { docId: 'y', vector: [1, 0] }]).map((r) => r.id)).toEqual(['y', 'z']);
  });
});
