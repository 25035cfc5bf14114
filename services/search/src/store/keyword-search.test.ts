import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentInput } from './document-input.js';
import { cleanKeywordQuery, MAX_KEYWORD_QUERY_CHARS } from './keyword-search.js';
import { openTestStore, type TestStore } from './test-support/fixtures.js';

const docs: DocumentInput[] = [
  { tenantId: 't1', id: 'en1', locale: 'en', sourceType: 'wiki', title: 'Running shoes', content: 'The runners were running quickly through the parks.' },
  { tenantId: 't1', id: 'en2', locale: 'en-US', sourceType: 'ticket', title: 'Printer jam', content: 'The printer jammed twice; paper trays were replaced.', metadata: { prio: 'high' } },
  { tenantId: 't1', id: 'de1', locale: 'de-CH', sourceType: 'wiki', title: 'Drucker', content: 'Die Drucker in den Häusern wurden gewartet.' },
  { tenantId: 't1', id: 'fr1', locale: 'fr', sourceType: 'wiki', title: 'Imprimantes', content: 'Les imprimantes des maisons ont été réparées.' },
  { tenantId: 't1', id: 'ja1', locale: 'ja', sourceType: 'wiki', title: '東京', content: 'プリンター 修理 東京 オフィス' },
  { tenantId: 't2', id: 'en1', locale: 'en', sourceType: 'wiki', title: 'Other tenant', content: 'Running printers in another tenant.' },
];

describe('keyword search', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: 4 });
    await t.store.upsertDocuments(docs);
  });
  afterAll(() => t.cleanup());

  const search = (query: string, extra: Partial<Parameters<TestStore['store']['keywordSearch']>[0]> = {}) =>
    t.store.keywordSearch({ tenantId: 't1', query, limit: 10, ...extra });
  const ids = async (query: string, extra: Partial<Parameters<TestStore['store']['keywordSearch']>[0]> = {}) =>
    (await search(query, extra)).hits.map((h) => h.id);

  it('stems with the locale configuration and filters by locale', async () => {
    expect(await ids('run', { filters: { locale: 'en' } })).toEqual(['en1']);
    expect(await ids('häuser', { filters: { locale: 'de' } })).toEqual(['de1']);
    expect(await ids('maison', { filters: { locale: 'fr' } })).toEqual(['fr1']);
    expect(await ids('run', { filters: { locale: 'de' } })).toEqual([]);
  });

  it('without a locale, matches each passage with its own configuration', async () => {
    expect(await ids('running')).toEqual(['en1']);
    expect(await ids('häuser')).toEqual(['de1']);
    expect(await ids('maison')).toEqual(['fr1']);
    expect(await ids('東京')).toEqual(['ja1']);
    expect(await ids('printer')).toEqual(['en2']);
  });

  it('returns the best passage, a 0..1 rank, and the document fields', async () => {
    const [hit] = (await search('printer jammed')).hits;
    expect(hit).toMatchObject({ id: 'en2', title: 'Printer jam', passageIndex: 0, locale: 'en-US', sourceType: 'ticket', metadata: { prio: 'high' } });
    expect(hit.snippet).toContain('paper trays');
    expect(hit.score).toBeGreaterThan(0);
    expect(hit.score).toBeLessThan(1);
  });

  it('matches the title', async () => {
    expect(await ids('shoes')).toEqual(['en1']);
  });

  it('applies filters and min_score, and pages', async () => {
    expect(await ids('printer OR running OR drucker', { filters: { sourceTypes: ['ticket'] } })).toEqual(['en2']);
    expect(await ids('printer OR running', { filters: { metadata: { prio: 'high' } } })).toEqual(['en2']);
    expect(await ids('printer', { minScore: 0.99 })).toEqual([]);
    const p1 = await search('printer OR running OR drucker', { limit: 2 });
    const p2 = await search('printer OR running OR drucker', { limit: 2, offset: 2 });
    expect(p1.hits).toHaveLength(2);
    expect(p1.hasMore).toBe(true);
    expect(p2.hits).toHaveLength(1);
    expect(p2.hasMore).toBe(false);
    expect(new Set([...p1.hits, ...p2.hits].map((h) => h.id))).toEqual(new Set(['en1', 'en2', 'de1']));
  });

  const hostile: [string, string][] = [
    ['SQL injection', "'); DROP TABLE documents;--"],
    ['injection in a quoted phrase', '"printer\'); DROP TABLE passages;--"'],
    ['unbalanced quotes', '"printer jam'],
    ['lone quote', "'"],
    ['tsquery operators', '&|!:*<->'],
    ['more operators', 'printer & | ! ( ) <-> <2> :* :A \\ running'],
    ['a 100 KB query', 'printer '.repeat(12_800)],
    ['a 100 KB word', 'x'.repeat(100_000)],
    ['empty', ''],
    ['whitespace', '   \n\t '],
    ['only stop words', 'the and of a'],
    ['NUL bytes', 'prin\u0000ter\u0000'],
    ['lone surrogate', 'printer \uD800 jam'],
    ['backslashes and percent', '\\\\ %_% \\x00'],
    ['emoji', '🖨️ printer'],
  ];

  it.each(hostile)('survives %s', async (_label, query) => {
    const page = await search(query);
    expect(Array.isArray(page.hits)).toBe(true);
    const noLocale = await search(query, { filters: { locale: 'en' } });
    expect(Array.isArray(noLocale.hits)).toBe(true);
    const { rows } = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t.testDb.schema}".documents`);
    expect(rows[0].n).toBe(docs.length);
  });

  it('still finds words next to NUL bytes', async () => {
    expect(await ids('prin\u0000ter')).toEqual(['en2']);
  });

  it('cuts over-long queries at a space', () => {
    const q = cleanKeywordQuery('word '.repeat(10_000));
    expect(q.length).toBeLessThanOrEqual(MAX_KEYWORD_QUERY_CHARS);
    expect(q.endsWith('word')).toBe(true);
  });

  it('rejects a malformed locale filter with INVALID_ARGUMENT', async () => {
    await expect(search('printer', { filters: { locale: "en'; DROP TABLE documents;--" } })).rejects.toMatchObject({ kind: 'invalid_argument' });
  });
});
