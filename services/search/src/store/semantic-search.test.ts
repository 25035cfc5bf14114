import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../passages/chunker.js';
import type { DocumentInput } from './document-input.js';
import { buildSemanticQuery, semanticCandidatesIn } from './semantic-search.js';
import { filtersOf, openTestStore, prng, randomVector, testModel, type TestStore } from './test-support/fixtures.js';
import { toVectorLiteral } from './vector-codec.js';

const FP = 'fp:test';

describe('semantic search (3 dimensions)', () => {
  let t: TestStore;
  const docs: DocumentInput[] = [
    { tenantId: 't1', id: 'a', locale: 'en', sourceType: 'wiki', title: 'A', content: 'alpha', metadata: { team: 'blue' } },
    { tenantId: 't1', id: 'b', locale: 'en-GB', sourceType: 'ticket', title: 'B', content: 'beta', metadata: { team: 'red' } },
    { tenantId: 't1', id: 'c', locale: 'de', sourceType: 'wiki', title: 'C', content: 'gamma', metadata: { team: 'blue', x: '1' } },
  ];
  const vectors = [[[1, 0, 0]], [[0.8, 0.6, 0]], [[0, 1, 0]]];

  beforeAll(async () => {
    t = await openTestStore({ dims: 3 });
    await t.store.upsertDocuments(docs, { fingerprint: FP, embeddings: vectors });
  });
  afterAll(() => t.cleanup());

  const search = (extra: { tenantId?: string; vector?: number[]; depth?: number; model?: string; filters?: Parameters<typeof filtersOf>[0] } = {}) =>
    t.store.semantic({
      tenantId: extra.tenantId ?? 't1',
      vector: extra.vector ?? [1, 0, 0],
      model: testModel(extra.model ?? FP, 3),
      filters: filtersOf(extra.filters),
      depth: extra.depth ?? 10,
      efSearch: undefined,
    });

  it('orders neighbours by cosine similarity, score = 1 - cosine distance', async () => {
    const hits = await search();
    expect(hits.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(hits[0].score).toBeCloseTo(1, 5);
    expect(hits[1].score).toBeCloseTo(0.8, 5);
    expect(hits[2].score).toBeCloseTo(0, 5);
    expect(hits[0]).toMatchObject({ title: 'A', snippet: 'alpha', passageIndex: 0, locale: 'en', sourceType: 'wiki', metadata: { team: 'blue' } });
  });

  it('filters by locale (with sub-tags), source types and metadata', async () => {
    expect((await search({ filters: { locale: 'en' } })).map((h) => h.id)).toEqual(['a', 'b']);
    expect((await search({ filters: { locale: 'en-gb' } })).map((h) => h.id)).toEqual(['b']);
    expect((await search({ filters: { sourceTypes: ['wiki'] } })).map((h) => h.id)).toEqual(['a', 'c']);
    expect((await search({ filters: { metadata: { team: 'blue', x: '1' } } })).map((h) => h.id)).toEqual(['c']);
    expect(await search({ filters: { metadata: { team: "blue' OR 1=1 --" } } })).toEqual([]);
  });

  it('returns at most `depth` documents, best first', async () => {
    expect((await search({ depth: 2 })).map((h) => h.id)).toEqual(['a', 'b']);
  });

  it('only returns the tenant\'s rows, and rejects vectors the column cannot hold', async () => {
    expect(await search({ tenantId: 't2' })).toEqual([]);
    await expect(search({ vector: [1, 0] })).rejects.toMatchObject({ kind: 'invalid_argument' });
    await expect(search({ vector: [0, 0, 0] })).rejects.toMatchObject({ kind: 'invalid_argument' });
  });

  it('compares only with vectors of the query vector\'s model', async () => {
    expect(await search({ model: 'fp:other' })).toEqual([]);
    expect(await search({ model: FP })).toHaveLength(3);
  });
});

describe('semantic search over long documents', () => {
  const DIMS = 16;
  let t: TestStore;
  const rng = prng(7);
  const long: DocumentInput = {
    tenantId: 't1',
    id: 'long',
    locale: 'en',
    title: 'Manual',
    content: Array.from({ length: 900 }, (_, i) => `token${i}`).join(' ') + ' zebracorn appendix',
  };
  const passages = chunkDocument({ title: long.title!, content: long.content! }).passages;
  const vectors = passages.map(() => randomVector(rng, DIMS));

  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS });
    const others: DocumentInput[] = Array.from({ length: 20 }, (_, i) => ({ tenantId: 't1', id: `o${i}`, content: `other ${i}` }));
    await t.store.upsertDocuments([long, ...others], {
      fingerprint: FP,
      embeddings: [vectors, ...others.map(() => [randomVector(rng, DIMS)])],
    });
  });
  afterAll(() => t.cleanup());

  it('finds the tail passage by a vector equal to its passage vector, once per document', async () => {
    expect(passages.length).toBeGreaterThan(4);
    const tail = passages.length - 1;
    const hits = await t.store.semantic({ tenantId: 't1', vector: vectors[tail], model: testModel(FP, DIMS), filters: filtersOf(), depth: 5, efSearch: undefined });
    expect(hits[0]).toMatchObject({ id: 'long', passageIndex: tail });
    expect(hits[0].score).toBeCloseTo(1, 5);
    expect(hits[0].snippet.endsWith('zebracorn appendix')).toBe(true);
    expect(hits.filter((h) => h.id === 'long')).toHaveLength(1);
  });

  it('finds the tail passage by keyword', async () => {
    const hits = await t.store.keyword({ tenantId: 't1', text: 'zebracorn', filters: filtersOf(), depth: 5 });
    expect(hits.map((h) => [h.id, h.passageIndex])).toEqual([['long', passages.length - 1]]);
  });
});

describe('filtered semantic search through the HNSW index', () => {
  const DIMS = 16;
  const TOTAL = 3000;
  let t: TestStore;

  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS });
    const rng = prng(42);
    const docs: DocumentInput[] = [];
    const vecs: number[][][] = [];
    for (let i = 0; i < TOTAL; i++) {
      // 1% of rows belong to "small"; the rest to "big", whose rows carry a 10%-selective bucket.
      const small = i % 100 === 0;
      docs.push({
        tenantId: small ? 'small' : 'big',
        id: `d${i}`,
        locale: 'en',
        content: `document ${i}`,
        metadata: { bucket: String(i % 10) },
      });
      vecs.push([randomVector(rng, DIMS)]);
    }
    for (let i = 0; i < TOTAL; i += 500) {
      await t.store.upsertDocuments(docs.slice(i, i + 500), { fingerprint: FP, embeddings: vecs.slice(i, i + 500) });
    }
    await t.testDb.db.query(`ANALYZE "${t.testDb.schema}".passages`);
    await t.testDb.db.query(`ANALYZE "${t.testDb.schema}".documents`);
  });
  afterAll(() => t.cleanup());

  /** Runs `fn` in a transaction where the planner must take the HNSW index for the ORDER BY … LIMIT. */
  const forcingIndex = <T>(fn: (tx: import('./db.js').Queryable) => Promise<T>) =>
    t.store.ctx.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)`);
      return fn(tx);
    });

  const query = randomVector(prng(99), DIMS);

  it.each([
    ['a tenant with 1% of the rows', 'small', {}, 10],
    ['a 10%-selective metadata filter', 'big', { metadata: { bucket: '3' } }, 50],
  ])('%s gets `depth` rows from the index', async (_label, tenantId, filters, limit) => {
    const { rows } = await forcingIndex(async (tx) => {
      await tx.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      const { sql, values } = buildSemanticQuery(
        t.store.ctx,
        { tenantId, vectorLiteral: toVectorLiteral(query, DIMS), filters: filtersOf(filters), fingerprint: FP },
        limit * 4,
        limit + 1,
      );
      return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values);
    });
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('passages_embedding_hnsw_idx');

    const request = { tenantId, vector: query, model: testModel(FP, DIMS), filters: filtersOf(filters), depth: limit, efSearch: undefined };
    const hits = await forcingIndex((tx) => semanticCandidatesIn(t.store.ctx, tx, request));
    expect(hits).toHaveLength(limit);
    const scores = hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    // Same answer as an exact scan (the planner's own choice here), compared by id set and cosine tolerance.
    const exact = await t.store.semantic(request);
    const overlap = hits.filter((h) => exact.some((e) => e.id === h.id)).length;
    expect(overlap / limit).toBeGreaterThanOrEqual(0.8);
    expect(hits[0].score).toBeCloseTo(exact[0].score, 4);
  });

  it('without iterative scans the same index path would come back short', async () => {
    const { rows } = await forcingIndex(async (tx) => {
      await tx.query(`SELECT set_config('hnsw.iterative_scan', 'off', true), set_config('hnsw.ef_search', '40', true)`);
      const { sql, values } = buildSemanticQuery(
        t.store.ctx,
        { tenantId: 'small', vectorLiteral: toVectorLiteral(query, DIMS), filters: filtersOf(), fingerprint: FP },
        40,
        11,
      );
      return tx.query(sql, values);
    });
    expect(rows.length).toBeLessThan(10);
  });
});
