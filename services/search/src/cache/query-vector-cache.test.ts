import { describe, expect, it } from 'vitest';
import { cleanQueryText } from '../core/search/query.js';
import { QueryVectorCache } from './query-vector-cache.js';

describe('QueryVectorCache', () => {
  it('keys by model digest and text, and reports hits and misses', () => {
    const lookups: boolean[] = [];
    const cache = new QueryVectorCache({ max: 10, ttlMs: 60_000, onLookup: (hit) => lookups.push(hit) });
    cache.set('m1', cleanQueryText('reset  password '), [1, 0]);
    expect(cache.get('m1', cleanQueryText(' reset password'))).toEqual([1, 0]);
    // Another model's digest never sees this vector.
    expect(cache.get('m2', 'reset password')).toBeUndefined();
    expect(lookups).toEqual([true, false]);
  });

  it('is bounded by entries', () => {
    const cache = new QueryVectorCache({ max: 2, ttlMs: 60_000 });
    for (const q of ['a', 'b', 'c']) cache.set('m', q, [1]);
    expect(cache.size).toBe(2);
    expect(cache.get('m', 'a')).toBeUndefined();
  });

  it('query text is cleaned for composition and whitespace only, never case', () => {
    expect(cleanQueryText('  Cafe\u0301   au lait ')).toBe('Café au lait');
    expect(cleanQueryText('Paris')).not.toBe(cleanQueryText('paris'));
  });
});
