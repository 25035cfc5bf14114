import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPolysearchError } from '../../../../shared/errors.js';
import type { DocumentInput } from './document-input.js';
import { embedDocument, openTestStore, type TestStore } from './test-support/fixtures.js';

const DIMS = 16;
const FP1 = 'sha256:model-one';
const FP2 = 'sha256:model-two';

const doc = (id: string, content: string, extra: Partial<DocumentInput> = {}): DocumentInput => ({
  tenantId: 'acme',
  id,
  locale: 'en',
  sourceType: 'wiki',
  title: `Title ${id}`,
  content,
  metadata: { team: 'blue' },
  ...extra,
});
const vectorsFor = (docs: DocumentInput[]) => docs.map((d) => embedDocument(d, DIMS));

async function kindOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isPolysearchError(err) ? err.kind : `raw:${String(err)}`;
  }
  return undefined;
}

describe('upsertDocuments', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS, digests: [FP1, FP2] });
  });
  afterAll(() => t.cleanup());

  it('counts inserted, unchanged, updated and pending', async () => {
    const { store } = t;
    const docs = [doc('a', 'alpha text'), doc('b', 'beta text'), doc('c', 'gamma text')];

    const first = await store.upsertDocuments(docs, { model: t.models[FP1], embeddings: vectorsFor(docs) });
    expect(first).toMatchObject({ inserted: 3, updated: 0, unchanged: 0, pending: 0 });

    const same = await store.upsertDocuments(docs, { model: t.models[FP1], embeddings: vectorsFor(docs) });
    expect(same).toMatchObject({ inserted: 0, updated: 0, unchanged: 3, pending: 0 });

    // b: content changed, no vectors (embedder down) → updated + pending; d: new, pending.
    const changed = [doc('b', 'beta text, second edition'), doc('d', 'delta text')];
    const second = await store.upsertDocuments(changed, { model: t.models[FP1] });
    expect(second).toMatchObject({ inserted: 1, updated: 1, unchanged: 0, pending: 2 });
    expect(second.outcomes.map((o) => [o.id, o.outcome, o.pending])).toEqual([
      ['b', 'updated', true],
      ['d', 'inserted', true],
    ]);

    // Metadata only: the row changes, the passages (and their vectors) do not.
    const meta = await store.upsertDocuments([doc('a', 'alpha text', { metadata: { team: 'red' } })], { model: t.models[FP1] });
    expect(meta).toMatchObject({ inserted: 0, updated: 1, unchanged: 0, pending: 0 });
    const a = await store.getDocument('acme', 'a', t.models[FP1].key);
    expect(a?.document.metadata).toEqual({ team: 'red' });
    expect(a?.pendingPassages).toBe(0);
  });

  it('plans embedding only for what needs it', async () => {
    const { store } = t;
    const docs = [doc('a', 'alpha text', { metadata: { team: 'red' } }), doc('b', 'beta text, second edition'), doc('e', 'epsilon')];
    const plan = await store.planUpsert(docs, t.models[FP1].key);
    expect(plan.map((p) => [p.id, p.kind, p.needsEmbedding])).toEqual([
      ['a', 'same', false],
      ['b', 'same', true], // stored pending above
      ['e', 'new', true],
    ]);
    expect(plan[0].passages).toEqual([]);
    expect(plan[1].passages[0].embeddingText).toBe('Title b\nbeta text, second edition');

    // Another model has no vectors of this document yet.
    const replan = await store.planUpsert([docs[0]], t.models[FP2].key);
    expect(replan[0].needsEmbedding).toBe(true);
  });

  it('same content with pending passages: vectors given → re-embedded; none → left alone', async () => {
    const { store } = t;
    const b = doc('b', 'beta text, second edition');
    const untouched = await store.upsertDocuments([b], { model: t.models[FP1] });
    expect(untouched).toMatchObject({ unchanged: 1, pending: 1 });
    const embedded = await store.upsertDocuments([b], { model: t.models[FP1], embeddings: vectorsFor([b]) });
    expect(embedded).toMatchObject({ updated: 1, pending: 0 });
    expect((await store.getDocument('acme', 'b', t.models[FP1].key))?.pendingPassages).toBe(0);
    const again = await store.upsertDocuments([b], { model: t.models[FP1], embeddings: vectorsFor([b]) });
    expect(again).toMatchObject({ unchanged: 1 });
  });

  it('under another model, unchanged content is pending until vectors of that model are given', async () => {
    const { store } = t;
    const c = doc('c', 'gamma text');
    expect(await store.upsertDocuments([c], { model: t.models[FP2] })).toMatchObject({ unchanged: 1, pending: 1 });
    expect(await store.upsertDocuments([c], { model: t.models[FP2], embeddings: vectorsFor([c]) })).toMatchObject({ updated: 1 });
    expect(await store.upsertDocuments([c], { model: t.models[FP2], embeddings: vectorsFor([c]) })).toMatchObject({ unchanged: 1 });
  });

  it('get returns the stored document with passage counts and timestamps', async () => {
    const { store } = t;
    const long = doc('long', Array.from({ length: 500 }, (_, i) => `word${i}`).join(' '), { locale: 'de-ch' });
    await store.upsertDocuments([long], { model: t.models[FP1] });
    const got = await store.getDocument('acme', 'long', t.models[FP1].key);
    expect(got).not.toBeNull();
    expect(got!.document).toMatchObject({ tenantId: 'acme', id: 'long', locale: 'de-CH', sourceType: 'wiki', title: 'Title long' });
    expect(got!.passageCount).toBeGreaterThan(2);
    expect(got!.pendingPassages).toBe(got!.passageCount);
    expect(got!.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(got!.createdAt).toBeInstanceOf(Date);
    expect(got!.updatedAt.getTime()).toBeGreaterThanOrEqual(got!.createdAt.getTime());
    expect(await store.getDocument('acme', 'missing', null)).toBeNull();
    expect(await store.getDocument('other-tenant', 'long', null)).toBeNull();
  });

  it('delete cascades to passages and only touches the tenant', async () => {
    const { store, testDb } = t;
    await store.upsertDocuments([doc('x', 'to be deleted'), doc('x', 'other tenant copy', { tenantId: 'globex' })], { model: t.models[FP1] });
    expect(await store.deleteDocuments('acme', ['x', 'never-existed'])).toBe(1);
    const { rows } = await testDb.db.query<{ tenant_id: string; n: number }>(
      `SELECT tenant_id, count(*)::int AS n FROM "${testDb.schema}".passages WHERE doc_id = 'x' GROUP BY tenant_id`,
    );
    expect(rows).toEqual([{ tenant_id: 'globex', n: 1 }]);
    expect(await store.getDocument('globex', 'x', null)).not.toBeNull();
    expect(await store.deleteDocuments('acme', [])).toBe(0);
  });

  it('strips NUL characters from text and rejects bad input with INVALID_ARGUMENT', async () => {
    const { store } = t;
    await store.upsertDocuments([doc('nul', 'con\u0000tent', { title: 'ti\u0000tle', metadata: { k: 'v\u0000' } })]);
    const got = await store.getDocument('acme', 'nul', null);
    expect(got?.document).toMatchObject({ content: 'content', title: 'title', metadata: { k: 'v' } });

    expect(await kindOf(store.upsertDocuments([doc('', 'x')]))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([doc('a\u0000b', 'x')]))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([doc('e', 'x', { tenantId: '' })]))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([doc('e', 'x', { locale: 'not a locale!' })]))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([doc('e', '', { title: '' })]))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([doc('dup', 'x'), doc('dup', 'y')]))).toBe('invalid_argument');
    const e = doc('e', 'x');
    expect(await kindOf(store.upsertDocuments([e], { model: t.models[FP1], embeddings: [[[1, 2, 3]]] }))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([e], { model: t.models[FP1], embeddings: [[]] }))).toBe('invalid_argument');
    expect(await kindOf(store.upsertDocuments([e], { embeddings: vectorsFor([e]) }))).toBe('invalid_argument'); // vectors without a model
    expect(await kindOf(store.upsertDocuments([e], { model: t.models[FP1], embeddings: [[new Array(DIMS).fill(0)]] }))).toBe(
      'invalid_argument',
    );
    expect(await kindOf(store.upsertDocuments([e], { model: t.models[FP1], embeddings: [[new Array(DIMS).fill(Number.NaN)]] }))).toBe(
      'invalid_argument',
    );
    // A failed batch writes nothing.
    expect(await store.getDocument('acme', 'e', null)).toBeNull();
  });
});

describe('concurrent upserts', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS, digests: [FP1] });
  });
  afterAll(() => t.cleanup());

  it('overlapping batches in opposite orders all succeed and leave one copy of each document', async () => {
    const docs = Array.from({ length: 40 }, (_, i) => doc(`c${i}`, `concurrent ${i}`));
    const reversed = [...docs].reverse();
    const results = await Promise.all([
      t.store.upsertDocuments(docs, { model: t.models[FP1], embeddings: vectorsFor(docs) }),
      t.store.upsertDocuments(reversed, { model: t.models[FP1], embeddings: vectorsFor(reversed) }),
      t.store.upsertDocuments(docs.slice(10, 30), { model: t.models[FP1] }),
      t.store.upsertDocuments(reversed.slice(5, 25), { model: t.models[FP1], embeddings: vectorsFor(reversed.slice(5, 25)) }),
    ]);
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(40);
    const stats = await t.store.stats({ tenantId: 'acme', modelKey: t.models[FP1].key });
    expect(stats.tenants[0]).toMatchObject({ documents: 40, passages: 40 });
  });
});
