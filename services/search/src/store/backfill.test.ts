import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentInput } from './document-input.js';
import { enqueueMissing } from './models.js';
import { filtersOf, hashEmbedding, openTestStore, testModel, type TestStore } from './test-support/fixtures.js';

const DIMS = 8;
const FP1 = 'fp:one';
const FP2 = 'fp:two';

describe('backfill jobs', () => {
  let t: TestStore;
  const docs: DocumentInput[] = [
    { tenantId: 'a', id: '1', title: 'One', content: 'first document' },
    { tenantId: 'a', id: '2', title: 'Two', content: 'second document' },
    { tenantId: 'b', id: '1', title: 'Uno', content: 'third document' },
  ];
  const m1 = () => t.models[FP1];
  const m2 = () => t.models[FP2];

  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS, digests: [FP1, FP2] });
    // The embedder is down: everything is queued for the current model.
    await t.store.upsertDocuments(docs, { model: m1() });
  });
  afterAll(() => t.cleanup());

  it('stats count documents, passages and pending per tenant, against the current model', async () => {
    expect(await t.store.stats({ modelKey: m1().key })).toEqual({
      tenants: [
        { tenantId: 'a', documents: 2, passages: 2, pendingPassages: 2, failedPassages: 0 },
        { tenantId: 'b', documents: 1, passages: 1, pendingPassages: 1, failedPassages: 0 },
      ],
      pendingPassages: 3,
      failedPassages: 0,
    });
  });

  it('claims a model\'s jobs under a lease and stores their vectors', async () => {
    const first = await t.store.claimJobs({ modelKey: m1().key, limit: 2 });
    expect(first).toHaveLength(2);
    const second = await t.store.claimJobs({ modelKey: m1().key, limit: 2 });
    expect(second).toHaveLength(1); // the first two are leased
    const claimed = [...first, ...second];
    expect(claimed.map((c) => `${c.tenantId}/${c.docId}/${c.index}`).sort()).toEqual(['a/1/0', 'a/2/0', 'b/1/0']);
    expect(claimed.find((c) => c.tenantId === 'a' && c.docId === '1')!.embeddingText).toBe('One\nfirst document');
    // Another model's queue is its own.
    expect(await t.store.claimJobs({ modelKey: m2().key, limit: 10 })).toEqual([]);

    const result = await t.store.storeBackfilled(m1(), claimed.map((c) => ({ ...c, outcome: hashEmbedding(c.embeddingText, DIMS) })));
    expect(result).toEqual({ stored: 3, failed: 0, skipped: 0 });
    expect((await t.store.stats({ modelKey: m1().key })).pendingPassages).toBe(0);
    expect(await t.store.claimJobs({ modelKey: m1().key, limit: 10 })).toEqual([]);
    const hits = await t.store.semantic({ tenantId: 'a', vector: hashEmbedding('One\nfirst document', DIMS), model: testModel(FP1, DIMS), filters: filtersOf(), depth: 1, efSearch: undefined });
    expect(hits[0]).toMatchObject({ id: '1' });
    expect(hits[0].score).toBeCloseTo(1, 5);
  });

  it('queues every passage for a new model beside the current one, and drops a vector whose passage changed after the claim', async () => {
    expect(await enqueueMissing(t.store.ctx, m2().key)).toBe(3);
    expect(await enqueueMissing(t.store.ctx, m2().key)).toBe(0); // idempotent
    expect((await t.store.stats({ modelKey: m2().key })).pendingPassages).toBe(3);
    const claimed = await t.store.claimJobs({ modelKey: m2().key, limit: 10 });
    expect(claimed.some((c) => c.tenantId === 'a' && c.docId === '2')).toBe(true);
    // Rewritten meanwhile: its new passage is queued for both models; the old claim's vector is dropped.
    await t.store.upsertDocuments([{ tenantId: 'a', id: '2', title: 'Two', content: 'second document, rewritten' }], { model: m1(), alsoQueueFor: [m2().key] });
    const result = await t.store.storeBackfilled(m2(), claimed.map((c) => ({ ...c, outcome: hashEmbedding(c.embeddingText, DIMS) })));
    expect(result).toEqual({ stored: 2, failed: 0, skipped: 1 });
    expect(await t.store.getDocument('a', '2', m2().key)).toMatchObject({ pendingPassages: 1 });
    expect(await t.store.getDocument('a', '1', m2().key)).toMatchObject({ pendingPassages: 0 });
    // The current model's vectors were untouched by the other model's work.
    expect(await t.store.getDocument('a', '1', m1().key)).toMatchObject({ pendingPassages: 0 });
    expect(await t.store.getDocument('a', '2', m1().key)).toMatchObject({ pendingPassages: 1 });
  });

  it('released claims come back at once', async () => {
    const claimed = await t.store.claimJobs({ modelKey: m2().key, limit: 10 });
    expect(claimed).toHaveLength(1);
    expect(await t.store.claimJobs({ modelKey: m2().key, limit: 10 })).toEqual([]);
    await t.store.releaseJobs(m2().key, claimed);
    expect(await t.store.claimJobs({ modelKey: m2().key, limit: 10 })).toHaveLength(1);
  });

  it('validates its input', async () => {
    await expect(t.store.claimJobs({ modelKey: m1().key, limit: 0 })).rejects.toMatchObject({ kind: 'invalid_argument' });
  });
});

describe('passages the embedder refuses', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS });
  });
  afterAll(() => t.cleanup());

  it('are set aside with their reason, never claimed again, and retried only when the content changes', async () => {
    const m = t.model;
    const doc = { tenantId: 'p', id: 'poison', title: 'Poison', content: 'refused text' };
    await t.store.upsertDocuments([doc, { tenantId: 'p', id: 'ok', title: 'Fine', content: 'accepted text' }], { model: m });
    const claimed = await t.store.claimJobs({ modelKey: m.key, limit: 10 });
    const result = await t.store.storeBackfilled(
      m,
      claimed.map((c) => ({ ...c, outcome: c.docId === 'poison' ? { refused: 'INVALID_ARGUMENT: texts[0] is 40012 bytes' } : hashEmbedding(c.embeddingText, DIMS) })),
    );
    expect(result).toEqual({ stored: 1, failed: 1, skipped: 0 });

    // Not pending, not claimable: reported as failed, with the reason, in Stats and Get.
    await t.store.releaseJobs(m.key, claimed);
    expect(await t.store.claimJobs({ modelKey: m.key, limit: 10 })).toEqual([]);
    expect(await t.store.stats({ tenantId: 'p', modelKey: m.key })).toMatchObject({ pendingPassages: 0, failedPassages: 1 });
    const got = await t.store.getDocument('p', 'poison', m.key);
    expect(got).toMatchObject({ passageCount: 1, pendingPassages: 0, failedPassages: 1 });
    expect(got!.passageFailures).toEqual([{ index: 0, reason: 'INVALID_ARGUMENT: texts[0] is 40012 bytes', failedAt: expect.any(Date) }]);

    // The same content again: nothing to embed (it would be refused again).
    const plan = await t.store.planUpsert([doc], m.key);
    expect(plan[0]).toMatchObject({ kind: 'same', needsEmbedding: false });

    // New content replaces the passage and clears the failure.
    const changed = { ...doc, content: 'acceptable now' };
    const written = await t.store.upsertDocuments([changed], { model: m, embeddings: [[hashEmbedding('Poison\nacceptable now', DIMS)]] });
    expect(written).toMatchObject({ updated: 1, pending: 0, failedPassages: 0 });
    expect(await t.store.getDocument('p', 'poison', m.key)).toMatchObject({ pendingPassages: 0, failedPassages: 0, passageFailures: [] });
  });

  it('an upsert stores a refused passage set aside and the rest of the batch with vectors', async () => {
    const m = t.model;
    const res = await t.store.upsertDocuments(
      [
        { tenantId: 'q', id: 'a', title: 'A', content: 'fine' },
        { tenantId: 'q', id: 'b', title: 'B', content: 'refused' },
      ],
      { model: m, embeddings: [[hashEmbedding('A\nfine', DIMS)], [{ refused: 'INVALID_ARGUMENT: too large' }]] },
    );
    expect(res).toMatchObject({ inserted: 2, pending: 0, failedPassages: 1 });
    expect(await t.store.getDocument('q', 'a', m.key)).toMatchObject({ pendingPassages: 0, failedPassages: 0 });
    expect(await t.store.getDocument('q', 'b', m.key)).toMatchObject({ pendingPassages: 0, failedPassages: 1 });
  });
});
