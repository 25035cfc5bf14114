import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentInput } from './document-input.js';
import { filtersOf, openTestStore, prng, randomVector, testModel, type TestStore } from './test-support/fixtures.js';

type SearchFilters = NonNullable<Parameters<typeof filtersOf>[0]>;

const DIMS = 8;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const LOCALES = ['en', 'en-GB', 'de', 'fr', 'ja', ''];
const SOURCE_TYPES = ['wiki', 'ticket', 'mail'];
const WORDS = ['printer', 'network', 'invoice', 'driver', 'laptop', 'password', 'drucker', 'rechnung', 'imprimante', 'réseau'];

describe('tenant isolation (seeded property test)', () => {
  let t: TestStore;
  const rng = prng(20240601);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)];
  const docs: DocumentInput[] = [];
  const byKey = new Map<string, DocumentInput>();

  beforeAll(async () => {
    t = await openTestStore({ dims: DIMS });
    for (let i = 0; i < 300; i++) {
      const tenantId = pick(TENANTS.slice(0, 4)); // "hooli" has no documents
      const id = `doc-${i % 60}`; // the same ids recur across tenants
      if (byKey.has(`${tenantId}/${id}`)) continue;
      const doc: DocumentInput = {
        tenantId,
        id,
        locale: pick(LOCALES),
        sourceType: pick(SOURCE_TYPES),
        title: `${tenantId} ${id}`,
        content: Array.from({ length: 8 }, () => pick(WORDS)).join(' '),
        metadata: { color: pick(['red', 'green', 'blue']), size: pick(['s', 'm']) },
      };
      docs.push(doc);
      byKey.set(`${tenantId}/${id}`, doc);
    }
    // Half embedded, half pending: both states must stay isolated.
    const half = Math.floor(docs.length / 2);
    await t.store.upsertDocuments(docs.slice(0, half), { fingerprint: 'fp', embeddings: docs.slice(0, half).map(() => [randomVector(rng, DIMS)]) });
    await t.store.upsertDocuments(docs.slice(half));
  });
  afterAll(() => t.cleanup());

  function randomFilters(): SearchFilters {
    const filters: SearchFilters = {};
    if (rng() < 0.4) filters.locale = pick(['en', 'de', 'fr', 'ja', 'en-GB']);
    if (rng() < 0.4) filters.sourceTypes = SOURCE_TYPES.filter(() => rng() < 0.5);
    if (rng() < 0.4) filters.metadata = rng() < 0.5 ? { color: pick(['red', 'green', 'blue']) } : { size: pick(['s', 'm']), color: 'red' };
    return filters;
  }

  function matchesFilters(doc: DocumentInput, f: SearchFilters): boolean {
    if (f.locale && doc.locale !== f.locale && !(doc.locale ?? '').startsWith(`${f.locale}-`)) return false;
    if (f.sourceTypes && f.sourceTypes.length > 0 && !f.sourceTypes.includes(doc.sourceType ?? '')) return false;
    for (const [k, v] of Object.entries(f.metadata ?? {})) if (doc.metadata?.[k] !== v) return false;
    return true;
  }

  it('no hit ever belongs to another tenant or violates a filter (200 random queries)', async () => {
    let hitsSeen = 0;
    for (let round = 0; round < 200; round++) {
      const tenantId = pick(TENANTS);
      const filters = randomFilters();
      const semantic = rng() < 0.5;
      const request = { tenantId, filters: filtersOf(filters), depth: 20 };
      const hits = semantic
        ? await t.store.semantic({ ...request, vector: randomVector(rng, DIMS), model: testModel('fp', DIMS), efSearch: undefined })
        : await t.store.keyword({ ...request, text: `${pick(WORDS)} OR ${pick(WORDS)}` });
      for (const hit of hits) {
        const doc = byKey.get(`${tenantId}/${hit.id}`);
        const context = { round, tenantId, filters, semantic, hit: hit.id };
        expect(doc, JSON.stringify(context)).toBeDefined();
        expect(hit.title, JSON.stringify(context)).toBe(`${tenantId} ${hit.id}`);
        expect(hit.snippet, JSON.stringify(context)).toBe(doc!.content);
        expect(matchesFilters(doc!, filters), JSON.stringify(context)).toBe(true);
        hitsSeen++;
      }
      if (tenantId === 'hooli') expect(hits).toEqual([]);
    }
    expect(hitsSeen).toBeGreaterThan(200); // the property was actually exercised
  });

  it('get, delete and stats are scoped by tenant', async () => {
    const sample = docs.find((d) => docs.some((o) => o.id === d.id && o.tenantId !== d.tenantId))!;
    const other = docs.find((o) => o.id === sample.id && o.tenantId !== sample.tenantId)!;
    expect((await t.store.getDocument(sample.tenantId, sample.id))?.document.title).toBe(`${sample.tenantId} ${sample.id}`);
    expect(await t.store.getDocument('hooli', sample.id)).toBeNull();
    expect(await t.store.deleteDocuments('hooli', [sample.id])).toBe(0);
    expect(await t.store.deleteDocuments(sample.tenantId, [sample.id])).toBe(1);
    expect((await t.store.getDocument(other.tenantId, other.id))?.document.title).toBe(`${other.tenantId} ${other.id}`);

    const stats = await t.store.stats({ tenantId: other.tenantId });
    expect(stats.tenants.map((s) => s.tenantId)).toEqual([other.tenantId]);
    expect(stats.tenants[0].documents).toBe(docs.filter((d) => d.tenantId === other.tenantId).length);
  });
});
