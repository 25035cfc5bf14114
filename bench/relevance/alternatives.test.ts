import { describe, expect, it } from 'vitest';
import { cutSemantic, fuseLists, lowConfidence, type FusionAlternative } from './alternatives.js';

const list = (...pairs: [string, number][]) => pairs.map(([id, score]) => ({ id, score }));

describe('relevance alternatives', () => {
  const semantic = list(['a', 0.9], ['b', 0.89], ['c', 0.85]);
  const keyword = list(['c', 0.6], ['d', 0.5]);

  it('fuses with the service functions at the given depth', () => {
    const rrf: FusionAlternative = { name: 'r', method: 'rrf', param: 60, depth: 50 };
    expect(fuseLists(semantic, keyword, rrf, 2)).toEqual(['c', 'a']);
    const semanticOnly: FusionAlternative = { name: 'w', method: 'weighted', param: 1, depth: 50 };
    expect(fuseLists(semantic, keyword, semanticOnly, 10).slice(0, 3)).toEqual(['a', 'b', 'c']);
    // Depth 1: only each list's first candidate takes part.
    expect(fuseLists(semantic, keyword, { ...rrf, depth: 1 }, 10).sort()).toEqual(['a', 'c']);
  });

  it('cuts by floor and margin, and says low confidence on a small lead or an empty list', () => {
    expect(cutSemantic(semantic, 0.86, null).map((h) => h.id)).toEqual(['a', 'b']);
    expect(cutSemantic(semantic, null, 0.02).map((h) => h.id)).toEqual(['a', 'b']);
    expect(cutSemantic(semantic, null, null)).toHaveLength(3);
    expect(lowConfidence(semantic, 0.02)).toBe(true);
    expect(lowConfidence(semantic, 0.005)).toBe(false);
    expect(lowConfidence(semantic, 0.005, 0)).toBe(true);
    expect(lowConfidence(semantic, null, 0)).toBe(false);
  });
});
