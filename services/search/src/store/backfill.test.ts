import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassagesAside } from './backfill.js';
import type { DocumentInput } from './document-input.js';
import { filtersOf, hashEmbedding, openTestStore, testModel, type TestStore } from './test-support/fixtures.js';

const DIMS = 8;
const FP1 = 'fp:one';
const FP2 = 'fp:two';

describe('backfill', () => {
  let t: TestStore;
  const docs: DocumentInput[] = [
    { tenantId: 'a', id: '1', title: 'One', content: 'first document' },
    { tenantId: 'a', id: '2', title: 'Two', content: 'second document' },
    { tenantId: 'b', id: '1', title: 'Uno', content: 'third document' },
  ];

  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS });
    await t.store.upsertDocuments(docs); // embedder down: everything pending
  });
  afterAll(() => t.cleanup());

  it('stats count documents, passages and pending per tenant', async () => {
    const stats = await t.store.stats({ fingerprint: FP1 });
    expect(stats).toEqual({
      tenants: [
        { tenantId: 'a', documents: 2, passages: 2, pendingPassages: 2, stalePassages: 0, failedPassages: 0 },
        { tenantId: 'b', documents: 1, passages: 1, pendingPassages: 1, stalePassages: 0, failedPassages: 0 },
      ],
      pendingPassages: 3,
      stalePassages: 0,
      failedPassages: 0,
    });
  });

  it('claims pending passages under a lease and stores their vectors', async () => {
    const first = await t.store.claimPendingPassages({ limit: 2, fingerprint: FP1 });
    expect(first).toHaveLength(2);
    expect(first.every((c) => c.reason === 'pending')).toBe(true);
    const second = await t.store.claimPendingPassages({ limit: 2, fingerprint: FP1 });
    expect(second).toHaveLength(1); // the first two are leased
    const keys = [...first, ...second].map((c) => `${c.tenantId}/${c.docId}/${c.index}`).sort();
    expect(keys).toEqual(['a/1/0', 'a/2/0', 'b/1/0']);
    const one = [...first, ...second].find((c) => c.tenantId === 'a' && c.docId === '1')!;
    expect(one.embeddingText).toBe('One\nfirst document');

    const result = await t.store.storePassageEmbeddings(
      [...first, ...second].map((c) => ({ ...c, embedding: hashEmbedding(c.embeddingText, DIMS) })),
      FP1,
    );
    expect(result).toEqual({ stored: 3, skipped: 0 });
    expect((await t.store.stats({ fingerprint: FP1 })).pendingPassages).toBe(0);
    expect(await t.store.claimPendingPassages({ limit: 10, fingerprint: FP1 })).toEqual([]);
    const hits = await t.store.semantic({
      tenantId: 'a',
      vector: hashEmbedding('One\nfirst document', DIMS),
      model: testModel(FP1, DIMS),
      filters: filtersOf(),
      depth: 1,
      efSearch: undefined,
    });
    expect(hits[0].id).toBe('1');
    expect(hits[0].score).toBeCloseTo(1, 5);
  });

  it('drops a vector whose passage changed after the claim', async () => {
    await t.store.upsertDocuments([{ tenantId: 'a', id: '2', title: 'Two', content: 'second document' }], { fingerprint: FP1 });
    const stale = await t.store.claimPendingPassages({ limit: 10, fingerprint: FP2 });
    expect(stale.map((c) => c.reason)).toEqual(['stale', 'stale', 'stale']);
    const claim = stale.find((c) => c.tenantId === 'a' && c.docId === '2')!;
    await t.store.upsertDocuments([{ tenantId: 'a', id: '2', title: 'Two', content: 'second document, rewritten' }]);
    const result = await t.store.storePassageEmbeddings([{ ...claim, embedding: hashEmbedding(claim.embeddingText, DIMS) }], FP2);
    expect(result).toEqual({ stored: 0, skipped: 1 });
    const doc = await t.store.getDocument('a', '2');
    expect(doc?.pendingPassages).toBe(1);
  });

  it('reports stale passages after a model change, and released claims come back', async () => {
    const stats = await t.store.stats({ fingerprint: FP2 });
    expect(stats.stalePassages).toBe(2);
    expect(stats.pendingPassages).toBe(1);
    // Everything is leased from the previous test; release and claim again.
    expect(await t.store.claimPendingPassages({ limit: 10, fingerprint: FP2 })).toHaveLength(1); // the rewritten doc
    const all = await t.testDb.db.query<{ tenant_id: string; doc_id: string; idx: number }>(
      `SELECT tenant_id, doc_id, idx FROM "${t.testDb.schema}".passages`,
    );
    await t.store.releasePassageClaims(all.rows.map((r) => ({ tenantId: r.tenant_id, docId: r.doc_id, index: Number(r.idx) })));
    const again = await t.store.claimPendingPassages({ limit: 10, fingerprint: FP2 });
    expect(again.map((c) => c.reason).sort()).toEqual(['pending', 'stale', 'stale']);
    expect(again[0].reason).toBe('pending'); // pending first
  });

  it('validates its input', async () => {
    await expect(t.store.claimPendingPassages({ limit: 0, fingerprint: FP1 })).rejects.toMatchObject({ kind: 'invalid_argument' });
    await expect(t.store.storePassageEmbeddings([], '')).rejects.toMatchObject({ kind: 'invalid_argument' });
  });
});

describe('passages the embedder refuses', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS });
  });
  afterAll(() => t.cleanup());

  it('are set aside with their reason, never claimed again, and retried only when the content changes', async () => {
    const doc = { tenantId: 'p', id: 'poison', title: 'Poison', content: 'refused text' };
    await t.store.upsertDocuments([doc, { tenantId: 'p', id: 'ok', title: 'Fine', content: 'accepted text' }]);
    const claimed = await t.store.claimPendingPassages({ limit: 10, fingerprint: FP1 });
    const bad = claimed.find((c) => c.docId === 'poison')!;
    const good = claimed.find((c) => c.docId === 'ok')!;
    expect(await setPassagesAside(t.store.ctx, [{ ...bad, reason: 'INVALID_ARGUMENT: texts[0] is 40012 bytes' }])).toBe(1);
    await t.store.storePassageEmbeddings([{ ...good, embedding: hashEmbedding(good.embeddingText, DIMS) }], FP1);

    // Not pending, not claimable: reported as failed, with the reason, in Stats and Get.
    await t.store.releasePassageClaims(claimed);
    expect(await t.store.claimPendingPassages({ limit: 10, fingerprint: FP1 })).toEqual([]);
    expect(await t.store.stats({ tenantId: 'p', fingerprint: FP1 })).toMatchObject({ pendingPassages: 0, failedPassages: 1 });
    const got = await t.store.getDocument('p', 'poison');
    expect(got).toMatchObject({ passageCount: 1, pendingPassages: 0, failedPassages: 1 });
    expect(got!.passageFailures).toEqual([{ index: 0, reason: 'INVALID_ARGUMENT: texts[0] is 40012 bytes', failedAt: expect.any(Date) }]);

    // The same content again: nothing to embed (it would be refused again).
    const plan = await t.store.planUpsert([doc], FP1);
    expect(plan[0]).toMatchObject({ kind: 'same', needsEmbedding: false });

    // New content replaces the passage and clears the failure.
    const changed = await t.store.indexDocuments([{ ...doc, content: 'acceptable now' }], {
      fingerprint: FP1,
      embed: async (texts) => texts.map((text) => hashEmbedding(text, DIMS)),
    });
    expect(changed).toMatchObject({ updated: 1, pending: 0, failedPassages: 0, embeddedPassages: 1 });
    expect(await t.store.getDocument('p', 'poison')).toMatchObject({ pendingPassages: 0, failedPassages: 0, passageFailures: [] });
  });

  it('indexDocuments stores a refused passage set aside and the rest of the batch with vectors', async () => {
    const res = await t.store.indexDocuments(
      [
        { tenantId: 'q', id: 'a', title: 'A', content: 'fine' },
        { tenantId: 'q', id: 'b', title: 'B', content: 'refused' },
      ],
      { fingerprint: FP1, embed: async (texts) => texts.map((text) => (text.includes('refused') ? { refused: 'INVALID_ARGUMENT: too large' } : hashEmbedding(text, DIMS))) },
    );
    expect(res).toMatchObject({ inserted: 2, pending: 0, failedPassages: 1, embeddedPassages: 1 });
    expect(await t.store.getDocument('q', 'a')).toMatchObject({ pendingPassages: 0, failedPassages: 0 });
    expect(await t.store.getDocument('q', 'b')).toMatchObject({ pendingPassages: 0, failedPassages: 1 });
  });
});
