import { describe, expect, it } from 'vitest';
import { createSearchMetrics } from '../metrics.js';
import { candidate, FakeEmbedder, FakeIndex, MapCache, MODEL } from './search/fakes.js';
import type { Reranker } from './search/rerank.js';
import { SearchCore, type SearchSettings } from './search-core.js';

const settings: SearchSettings = { rrfK: 60, candidateDepth: 30, rerankDepth: 30 };

function core(index: FakeIndex, embedder = new FakeEmbedder(), rerankers: Reranker[] = []) {
  return new SearchCore({ index, embedder, cache: new MapCache(), metrics: createSearchMetrics(), settings, rerankers });
}

const docs = (n: number, top = 0.95) => Array.from({ length: n }, (_, i) => candidate(`d${String(i).padStart(2, '0')}`, top - i / 1000));

describe('SearchCore pipeline (fakes)', () => {
  it('semantic: the model default floor (e5 0.78) cuts weak hits', async () => {
    const index = new FakeIndex([candidate('good', 0.85), candidate('weak', 0.7)]);
    const out = await core(index).search({ tenantId: 't', query: 'q', mode: 'semantic' });
    expect(out.hits.map((h) => h.id)).toEqual(['good']);
    expect(out).toMatchObject({ modeUsed: 'semantic', degraded: false, nextPageToken: '' });
    expect(out.hits[0]).toMatchObject({ score: 0.85, semanticScore: 0.85, keywordScore: 0 });
  });

  it('semantic: hits far below the best one are cut, and an answer where nothing stands out says low confidence', async () => {
    const flat = await core(new FakeIndex([candidate('a', 0.9), candidate('b', 0.899), candidate('far', 0.84)])).search({ tenantId: 't', query: 'q', mode: 'semantic' });
    expect(flat.hits.map((h) => h.id)).toEqual(['a', 'b']);
    expect(flat.lowConfidence).toBe(true);
    const clear = await core(new FakeIndex([candidate('a', 0.9), candidate('b', 0.86)])).search({ tenantId: 't', query: 'q', mode: 'semantic' });
    expect(clear.hits.map((h) => h.id)).toEqual(['a', 'b']);
    expect(clear.lowConfidence).toBe(false);
    // A deployment's own margin replaces the profile's.
    const wide = new SearchCore({ index: new FakeIndex([candidate('a', 0.9), candidate('far', 0.84)]), embedder: new FakeEmbedder(), cache: new MapCache(), metrics: createSearchMetrics(), settings: { ...settings, scoreMargin: 0.1 } });
    expect((await wide.search({ tenantId: 't', query: 'q', mode: 'semantic' })).hits.map((h) => h.id)).toEqual(['a', 'far']);
  });

  it('a fixture model (scores without meaning) gets no semantic rule and never says low confidence', async () => {
    const fixture = new FakeEmbedder({ ...MODEL, fixture: true });
    const out = await core(new FakeIndex([candidate('a', 0.3), candidate('b', 0.3), candidate('c', 0.1)]), fixture).search({ tenantId: 't', query: 'q', mode: 'semantic' });
    expect(out.hits.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(out.lowConfidence).toBe(false);
  });

  it('keyword: matches far below the best one are cut, and keyword answers never say low confidence', async () => {
    const out = await core(new FakeIndex([], [candidate('k1', 0.6), candidate('k2', 0.2), candidate('k3', 0.1)])).search({ tenantId: 't', query: 'q', mode: 'keyword' });
    expect(out.hits.map((h) => h.id)).toEqual(['k1', 'k2']);
    expect(out.lowConfidence).toBe(false);
  });

  it('hybrid pages are slices of one fused ranking, and the last page has no token', async () => {
    const index = new FakeIndex(docs(40), docs(40, 0.5).reverse());
    const c = core(index);
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 10; i++) {
      const out = await c.search({ tenantId: 't', query: 'q', limit: 7, pageToken: token });
      seen.push(...out.hits.map((h) => h.id));
      token = out.nextPageToken;
      if (!token) break;
    }
    // Pages end at the window (candidate depth 30): the last one is short.
    const whole = await c.search({ tenantId: 't', query: 'q', limit: 30 });
    expect(seen).toEqual(whole.hits.map((h) => h.id));
    expect(seen).toHaveLength(30);
    expect(token).toBe('');
  });

  it('answers by keyword and says so when the embedder is down', async () => {
    const embedder = new FakeEmbedder();
    embedder.down = 'embedder_timeout';
    const out = await core(new FakeIndex([candidate('s', 0.9)], [candidate('k', 0.4)]), embedder).search({ tenantId: 't', query: 'q', mode: 'hybrid', minScore: 0.99 });
    expect(out).toMatchObject({ modeUsed: 'keyword', degraded: true, fusionUsed: undefined });
    // The caller's cosine threshold is not applied to keyword ranks.
    expect(out.hits.map((h) => h.id)).toEqual(['k']);
  });

  it('runs rerankers on the whole candidate list before paging, at the candidate depth', async () => {
    const index = new FakeIndex(docs(50));
    const seenLengths: number[] = [];
    const reverse: Reranker = {
      name: 'reverse',
      applies: () => true,
      async rerank(_q, ranked) {
        seenLengths.push(ranked.length);
        return { ranked: [...ranked].reverse().map((h, i) => ({ ...h, score: 1 - i / 100 })) };
      },
    };
    const out = await core(index, new FakeEmbedder(), [reverse]).search({ tenantId: 't', query: 'q', mode: 'semantic', limit: 5 });
    expect(index.semanticCalls[0].depth).toBe(30);
    expect(seenLengths).toEqual([30]);
    expect(out.hits.map((h) => h.id)).toEqual(['d29', 'd28', 'd27', 'd26', 'd25']);
  });

  it('refuses bad input before touching the index or the embedder', async () => {
    const index = new FakeIndex();
    const embedder = new FakeEmbedder();
    await expect(core(index, embedder).search({ tenantId: ' ', query: 'q' })).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(index.keywordCalls.length + index.semanticCalls.length + embedder.calls).toBe(0);
  });
});
