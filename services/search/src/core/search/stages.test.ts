import { describe, expect, it } from 'vitest';
import { candidate, FakeEmbedder, FakeIndex, MapCache, MODEL } from './fakes.js';
import { fuse } from './fuse.js';
import { page, retrievalWindow } from './page.js';
import { parseSearchQuery, type SearchRequestInput } from './query.js';
import type { RankedHit } from './ranked.js';
import { isLowConfidence, relevanceCut, relevancePolicyFor, type RelevancePolicy } from './relevance-cut.js';
import { retrieve, type Retrieved } from './retrieve.js';

const query = (extra: Partial<SearchRequestInput> = {}) => parseSearchQuery({ tenantId: 't', query: 'q', ...extra });
const ranked = (...pairs: [string, number | undefined, number | undefined][]): RankedHit[] =>
  pairs.map(([id, s, k]) => ({ candidate: candidate(id, s ?? k ?? 0), score: s ?? k ?? 0, semanticScore: s, keywordScore: k }));

describe('retrieve', () => {
  const deps = (index = new FakeIndex([candidate('a', 0.9)], [candidate('b', 0.5)]), embedder = new FakeEmbedder(), cache = new MapCache()) => ({ index, embedder, cache });

  it('keyword requests never ask the embedder', async () => {
    const d = deps();
    const r = await retrieve(query({ mode: 'keyword' }), 5, d);
    expect(d.embedder.calls).toBe(0);
    expect(r).toMatchObject({ modeUsed: 'keyword', semantic: undefined, degradedReason: '' });
    expect(r.keyword!.map((c) => c.id)).toEqual(['b']);
  });

  it('hybrid asks both sides at the same depth, with the query vector\'s model', async () => {
    const d = deps();
    const r = await retrieve(query({ mode: 'hybrid', efSearch: 64 }), 7, d);
    expect(d.index.semanticCalls).toEqual([expect.objectContaining({ tenantId: 't', depth: 7, model: MODEL, efSearch: 64, vector: [1, 0] })]);
    expect(d.index.keywordCalls).toEqual([expect.objectContaining({ tenantId: 't', depth: 7, text: 'q' })]);
    expect(r).toMatchObject({ modeUsed: 'hybrid', cacheHit: false, model: MODEL });
  });

  it('degrades to keyword, with the reason, when the embedder is unavailable and nothing is cached', async () => {
    const d = deps();
    d.embedder.down = 'circuit_open';
    const outcomes: string[] = [];
    const r = await retrieve(query({ mode: 'semantic' }), 5, { ...d, onEmbed: (o) => outcomes.push(o) });
    expect(r).toMatchObject({ modeUsed: 'keyword', degradedCause: 'circuit_open', semantic: undefined });
    expect(r.degradedReason).toMatch(/circuit_open.*keyword/);
    expect(d.index.semanticCalls).toHaveLength(0);
    expect(outcomes).toEqual(['circuit_open']);
  });

  it('a cached query stays semantic while the embedder is down', async () => {
    const d = deps();
    await retrieve(query({ mode: 'semantic' }), 5, d);
    d.embedder.down = 'embedder_unavailable';
    const r = await retrieve(query({ mode: 'semantic' }), 5, d);
    expect(r).toMatchObject({ modeUsed: 'semantic', cacheHit: true, degradedReason: '' });
    expect(d.embedder.calls).toBe(2 - 1); // the second call never reached the embedder
  });

  it('passes other embedder failures through (a bug is not an outage)', async () => {
    const d = deps();
    d.embedder.embedQuery = async () => {
      throw new TypeError('boom');
    };
    await expect(retrieve(query(), 5, d)).rejects.toThrow('boom');
  });
});

describe('fuse', () => {
  const retrieved = (semantic?: string[], keyword?: string[]): Retrieved => ({
    semantic: semantic?.map((id, i) => candidate(id, 0.9 - i / 10)),
    keyword: keyword?.map((id, i) => candidate(id, 0.5 - i / 10)),
    modeUsed: semantic && keyword ? 'hybrid' : semantic ? 'semantic' : 'keyword',
    degradedReason: '',
    degradedCause: undefined,
    cacheHit: false,
    model: MODEL,
  });

  it('keeps a single side\'s order and scores, and records which side found each hit', () => {
    const { ranked: r, fusionUsed } = fuse(query({ mode: 'semantic' }), retrieved(['a', 'b']), { rrfK: 60 });
    expect(fusionUsed).toBeUndefined();
    expect(r.map((h) => [h.candidate.id, h.score, h.semanticScore, h.keywordScore])).toEqual([
      ['a', 0.9, 0.9, undefined],
      ['b', 0.8, 0.8, undefined],
    ]);
  });

  it('fuses both sides by weights by default (leaning on the semantic side), by RRF when asked', () => {
    const byDefault = fuse(query(), retrieved(['a', 'b', 'c'], ['c', 'd']), { rrfK: 60 });
    expect(byDefault.fusionUsed).toBe('weighted');
    // 0.9 · semantic: a keyword match lifts a close semantic candidate, not the keyword list's own top.
    expect(byDefault.ranked.map((h) => h.candidate.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(byDefault.ranked.find((h) => h.candidate.id === 'd')).toMatchObject({ semanticScore: undefined, keywordScore: 0.4 });
    const rrf = fuse(query({ fusion: 'rrf' }), retrieved(['a', 'b'], ['b', 'c']), { rrfK: 60 });
    expect(rrf.fusionUsed).toBe('rrf');
    expect(rrf.ranked[0]).toMatchObject({ candidate: { id: 'b' }, semanticScore: 0.8, keywordScore: 0.5 });
    expect(rrf.ranked.find((h) => h.candidate.id === 'c')).toMatchObject({ semanticScore: undefined, keywordScore: 0.4 });
    const keywordOnly = fuse(query({ fusion: 'weighted', semanticWeight: 0 }), retrieved(['a', 'b'], ['b', 'c']), { rrfK: 60 });
    expect(keywordOnly.ranked[0].candidate.id).toBe('b');
  });
});

describe('relevance cut', () => {
  const none: RelevancePolicy = { semanticFloor: null, keywordFloor: null, semanticMargin: null, keywordRatio: null, lowConfidenceGap: null };
  const ids = (hits: RankedHit[]) => hits.map((h) => h.candidate.id);

  it('drops semantic-only hits under the floor, keeps anything a keyword match vouches for', () => {
    const kept = relevanceCut(ranked(['a', 0.9, undefined], ['b', 0.7, 0.2], ['c', 0.7, undefined], ['d', undefined, 0.1]), { ...none, semanticFloor: 0.8 });
    expect(ids(kept)).toEqual(['a', 'b', 'd']);
  });

  it('applies a keyword floor only when one is set', () => {
    const list = ranked(['a', undefined, 0.6], ['b', undefined, 0.2]);
    expect(ids(relevanceCut(list, { ...none, keywordFloor: 0.5 }))).toEqual(['a']);
    expect(relevanceCut(list, none)).toHaveLength(2);
  });

  it('drops semantic evidence more than the margin below the best cosine, whatever its absolute score', () => {
    const list = ranked(['a', 0.91, undefined], ['b', 0.87, undefined], ['c', 0.859, undefined], ['d', 0.84, 0.3]);
    expect(ids(relevanceCut(list, { ...none, semanticFloor: 0.78, semanticMargin: 0.05 }))).toEqual(['a', 'b', 'd']);
    // The best hit always passes the margin: only the absolute floor empties a list.
    expect(ids(relevanceCut(ranked(['x', 0.6, undefined]), { ...none, semanticMargin: 0.05 }))).toEqual(['x']);
    expect(relevanceCut(ranked(['x', 0.6, undefined]), { ...none, semanticFloor: 0.78, semanticMargin: 0.05 })).toEqual([]);
  });

  it('drops keyword evidence under the given share of the best keyword rank', () => {
    const list = ranked(['a', undefined, 0.6], ['b', undefined, 0.31], ['c', undefined, 0.29], ['d', 0.9, 0.01]);
    expect(ids(relevanceCut(list, { ...none, keywordRatio: 0.5 }))).toEqual(['a', 'b', 'd']);
  });

  it('chooses the rules: the model\'s defaults, or exactly the caller\'s min_score; no semantic rule when degraded', () => {
    const base = { semantic: [], keyword: [], degradedReason: '', degradedCause: undefined, cacheHit: false, model: MODEL };
    const byModel = () => ({ floor: 0.78, margin: 0.05, lowConfidenceGap: 0.003, keywordRatio: 0.5 });
    expect(relevancePolicyFor(query(), { ...base, modeUsed: 'hybrid' }, byModel)).toEqual({
      semanticFloor: 0.78,
      keywordFloor: null,
      semanticMargin: 0.05,
      keywordRatio: 0.5,
      lowConfidenceGap: 0.003,
    });
    expect(relevancePolicyFor(query({ minScore: 0.5 }), { ...base, modeUsed: 'semantic' }, byModel)).toEqual({ ...none, semanticFloor: 0.5, lowConfidenceGap: 0.003 });
    expect(relevancePolicyFor(query({ minScore: 0.5, mode: 'semantic' }), { ...base, modeUsed: 'keyword' }, byModel)).toEqual({ ...none, keywordRatio: 0.5 });
    expect(relevancePolicyFor(query({ mode: 'keyword' }), { ...base, modeUsed: 'keyword' }, byModel)).toEqual({ ...none, keywordRatio: 0.5 });
    expect(relevancePolicyFor(query({ minScore: 0.3, mode: 'keyword' }), { ...base, modeUsed: 'keyword' }, byModel)).toEqual({ ...none, keywordFloor: 0.3 });
  });

  it('says low confidence when the best semantic candidate barely leads the next, or nothing passed', () => {
    const policy = { ...none, lowConfidenceGap: 0.003 };
    const kept = ranked(['a', 0.9, undefined]);
    expect(isLowConfidence([candidate('a', 0.9), candidate('b', 0.898)], kept, policy)).toBe(true);
    expect(isLowConfidence([candidate('a', 0.9), candidate('b', 0.896)], kept, policy)).toBe(false);
    expect(isLowConfidence([candidate('a', 0.9)], kept, policy)).toBe(false);
    expect(isLowConfidence([candidate('a', 0.9), candidate('b', 0.8)], [], policy)).toBe(true);
    // No gap for the model, or no semantic side (keyword answers): never said.
    expect(isLowConfidence([candidate('a', 0.9), candidate('b', 0.9)], kept, none)).toBe(false);
    expect(isLowConfidence(undefined, kept, policy)).toBe(false);
  });
});

describe('page', () => {
  const list = ranked(...Array.from({ length: 25 }, (_, i): [string, number, undefined] => [`d${i}`, 1 - i / 100, undefined]));

  it('slices the final list and issues a token bound to the request for the next offset', () => {
    const all = { depth: 1001, end: 1000 };
    const q1 = query({ limit: 10 });
    const p1 = page(q1, list, all);
    expect(p1.hits.map((h) => h.candidate.id)).toEqual(list.slice(0, 10).map((h) => h.candidate.id));
    const q2 = query({ limit: 10, pageToken: p1.nextPageToken });
    const p2 = page(q2, list, all);
    expect(p2.hits[0].candidate.id).toBe('d10');
    const q3 = query({ limit: 10, pageToken: p2.nextPageToken });
    const p3 = page(q3, list, all);
    expect(p3.hits.map((h) => h.candidate.id)).toEqual(['d20', 'd21', 'd22', 'd23', 'd24']);
    expect(p3.nextPageToken).toBe('');
  });

  it('ends pages at the window', () => {
    const p = page(query({ limit: 10, pageToken: page(query({ limit: 10 }), list, { depth: 15, end: 15 }).nextPageToken }), list, { depth: 15, end: 15 });
    expect(p.hits.map((h) => h.candidate.id)).toEqual(['d10', 'd11', 'd12', 'd13', 'd14']);
    expect(p.nextPageToken).toBe('');
  });

  it('a single side is read one past the page; a reordered list to a fixed window where pages end', () => {
    const depths = { candidateDepth: 30, rerankDepth: 100 };
    expect(retrievalWindow(query({ mode: 'semantic', limit: 10 }), depths, false)).toEqual({ depth: 11, end: 1000 });
    expect(retrievalWindow(query({ mode: 'hybrid', limit: 10 }), depths, false)).toEqual({ depth: 30, end: 30 });
    expect(retrievalWindow(query({ mode: 'keyword', limit: 10 }), depths, true)).toEqual({ depth: 100, end: 100 });
    expect(retrievalWindow(query({ mode: 'hybrid', limit: 50 }), depths, false)).toEqual({ depth: 50, end: 50 });
  });
});
