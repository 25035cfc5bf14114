import { describe, expect, it } from 'vitest';
import { meanPoolNormalize } from './pooling.js';

describe('meanPoolNormalize', () => {
  it('averages only the real tokens and returns unit vectors', () => {
    // 2 rows × 3 positions × 2 dims; row 0 has 2 real tokens, row 1 has 3.
    const hidden = new Float32Array([1, 0, 3, 0, 99, 99, /* row 1 */ 0, 1, 0, 2, 0, 3]);
    const out = meanPoolNormalize(hidden, 2, 3, 2, [2, 3]);
    // Row 0: mean (2, 0) → (1, 0): the padded (99, 99) must not count.
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBeCloseTo(0, 6);
    expect(Math.hypot(out[2], out[3])).toBeCloseTo(1, 6);
    expect(out[3]).toBeCloseTo(1, 6);
  });

  it('leaves an all-zero row zero instead of NaN', () => {
    const out = meanPoolNormalize(new Float32Array(4), 1, 2, 2, [2]);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});
