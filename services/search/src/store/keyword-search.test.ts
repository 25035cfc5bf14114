import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentInput } from './document-input.js';
import { cleanQueryText } from '../core/search/query.js';
import { SMALL_TENANT_PASSAGES } from './keyword-search.js';
import { filtersOf, openTestStore, type TestStore } from './test-support/fixtures.js';

interface Extra {
  tenantId?: string;
  depth?: number;
  filters?: Parameters<typeof filtersOf>[0];
}

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

  // Text as the core's request parser hands it over (cleaned once).
  const search = (query: string, extra: Extra = {}) =>
    t.store.keyword({ tenantId: extra.tenantId ?? 't1', text: cleanQueryText(query), filters: filtersOf(extra.filters), depth: extra.depth ?? 10 });
  const ids = async (query: string, extra: Extra = {}) => (await search(query, extra)).map((h) => h.id);

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
    const [hit] = await search('printer jammed');
    expect(hit).toMatchObject({ id: 'en2', title: 'Printer jam', passageIndex: 0, locale: 'en-US', sourceType: 'ticket', metadata: { prio: 'high' } });
    expect(hit.snippet).toContain('paper trays');
    expect(hit.score).toBeGreaterThan(0);
    expect(hit.score).toBeLessThan(1);
  });

  it('matches the title', async () => {
    expect(await ids('shoes')).toEqual(['en1']);
  });

  it('applies filters, and returns at most `depth` documents', async () => {
    expect(await ids('printer OR running OR drucker', { filters: { sourceTypes: ['ticket'] } })).toEqual(['en2']);
    expect(await ids('printer OR running', { filters: { metadata: { prio: 'high' } } })).toEqual(['en2']);
    const all = await ids('printer OR running OR drucker');
    expect(new Set(all)).toEqual(new Set(['en1', 'en2', 'de1']));
    expect(await ids('printer OR running OR drucker', { depth: 2 })).toEqual(all.slice(0, 2));
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
    expect(Array.isArray(await search(query))).toBe(true);
    expect(Array.isArray(await search(query, { filters: { locale: 'en' } }))).toBe(true);
    const { rows } = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t.testDb.schema}".documents`);
    expect(rows[0].n).toBe(docs.length);
  });

  it('still finds words next to NUL bytes', async () => {
    expect(await ids('prin\u0000ter')).toEqual(['en2']);
  });

  describe('ranking many matches', () => {
    // Tenant t3: 40 documents in four languages with 1-4 mentions each, some with several passages
    // (the best one is the hit), a team per document. Ranks do not depend on filters, so filtered
    // searches and pages must be exact slices of the one unfiltered ranking.
    const words: Record<string, [string, string]> = { en: ['printer', 'office'], de: ['drucker', 'büro'], fr: ['imprimante', 'bureau'], es: ['impresora', 'oficina'] };
    const locales = Object.keys(words);
    const many: DocumentInput[] = Array.from({ length: 40 }, (_, i) => {
      const locale = locales[i % 4];
      const [word, filler] = words[locale];
      const mentions = Array.from({ length: 1 + (i % 4) }, () => word).join(' ');
      // Every fifth document is long: the word only in a later passage.
      const content = i % 5 === 0 ? `${`${filler} `.repeat(400)}. ${mentions} ${filler}.` : `${filler} ${mentions} ${filler} ${i}.`;
      return { tenantId: 't3', id: `m${String(i).padStart(2, '0')}`, locale, sourceType: i % 2 ? 'faq' : 'wiki', title: `${filler} ${i}`, content, metadata: { team: i % 3 ? 'a' : 'b' } };
    });
    const query = 'printer OR drucker OR imprimante OR impresora';
    const run = (extra: Extra = {}) => search(query, { tenantId: 't3', depth: 100, ...extra });
    beforeAll(async () => {
      await t.store.upsertDocuments(many);
    });

    it('orders by score, best passage per document, and a shallower list is a prefix of a deeper one', async () => {
      const all = await run();
      expect(all).toHaveLength(40);
      for (let i = 1; i < all.length; i++) {
        expect(all[i - 1].score > all[i].score || (all[i - 1].score === all[i].score && all[i - 1].id < all[i].id)).toBe(true);
      }
      const long = all.find((h) => h.id === 'm05')!;
      expect(long.passageIndex).toBeGreaterThan(0);
      expect(long.snippet).toContain('drucker');
      expect(await run({ depth: 15 })).toEqual(all.slice(0, 15));
    });

    it('filters select from the same ranking', async () => {
      const all = await run();
      expect(await run({ filters: { sourceTypes: ['faq', 'wiki'] } })).toEqual(all);
      expect(await run({ filters: { metadata: { team: 'b' } } })).toEqual(all.filter((h) => h.metadata.team === 'b'));
      expect(await run({ filters: { sourceTypes: ['faq'] }, depth: 10 })).toEqual(all.filter((h) => h.sourceType === 'faq').slice(0, 10));
      expect((await run({ filters: { locale: 'de' } })).map((h) => h.id)).toEqual(all.filter((h) => h.locale === 'de').map((h) => h.id));
    });

    it('gives a large tenant (planner may use the GIN index) the same ranking as a small one', async () => {
      // t4: t3's documents plus enough others (that match nothing) to be searched as a large tenant.
      const filler = Array.from({ length: SMALL_TENANT_PASSAGES + 10 - many.length }, (_, i): DocumentInput => ({
        tenantId: 't4',
        id: `f${i}`,
        locale: locales[i % 4],
        content: `${words[locales[i % 4]][1]} ${i}`,
      }));
      await t.store.upsertDocuments([...many.map((d) => ({ ...d, tenantId: 't4' })), ...filler]);
      // Scores differ (idf counts the tenant's passages, and t4 has more); the order and the best passages do not.
      const shape = (hits: Awaited<ReturnType<typeof run>>) => hits.map((h) => `${h.id}#${h.passageIndex}`);
      for (const extra of [{}, { filters: { sourceTypes: ['faq'] } }, { filters: { metadata: { team: 'b' } }, depth: 5 }] as Extra[]) {
        const small = await run(extra);
        expect(small.length).toBeGreaterThan(0);
        expect(shape(await run({ ...extra, tenantId: 't4' }))).toEqual(shape(small));
      }
      expect(await search('zzzunknown', { tenantId: 't4' })).toEqual([]);
    }, 60_000);

    it('stays within the tenant', async () => {
      expect((await search(query)).map((h) => h.id).sort()).toEqual(['de1', 'en2', 'fr1']);
    });
  });

  describe('any-word matching, ranked by coverage and rarity', () => {
    // Tenant t5: "printer" is common (every document), "toner" and "cartridge" rarer.
    const t5: DocumentInput[] = [
      { tenantId: 't5', id: 'a', locale: 'en', title: 'Toner cartridge', content: 'Replace the toner cartridge of the printer when pages fade.' },
      { tenantId: 't5', id: 'b', locale: 'en', title: 'Printer setup', content: 'Unpack the printer and connect it to the network.' },
      { tenantId: 't5', id: 'c', locale: 'en', title: 'Printer noise', content: 'A printer makes noise when the cartridge is not seated; the jam light blinks.' },
      { tenantId: 't5', id: 'd', locale: 'en', title: 'Printer jam', content: 'Open the tray: paper jams near the printer rollers.' },
      { tenantId: 't5', id: 'e', locale: 'en', title: 'Printer paper', content: 'Which paper the printer takes, and how the jam sensor works.' },
      { tenantId: 't5', id: 'ja', locale: 'ja', title: 'プリンターの紙詰まり', content: '東京都内のオフィスで紙が詰まったときは、トレイを開けてください。' },
      { tenantId: 't5', id: 'zh', locale: 'zh', title: '如何申请退款', content: '在订单页面点击申请退款，审核通过后三个工作日内到账。' },
      { tenantId: 't5', id: 'ko', locale: 'ko', title: '비밀번호 변경', content: '설정에서 비밀번호를 바꿀 수 있습니다.' },
    ];
    const in5 = (query: string, extra: Extra = {}) => search(query, { tenantId: 't5', ...extra });
    const ids5 = async (query: string, extra: Extra = {}) => (await in5(query, extra)).map((h) => h.id);
    beforeAll(async () => {
      await t.store.upsertDocuments(t5);
    });

    it('finds documents that match some of the words (websearch_to_tsquery required all)', async () => {
      expect(await ids5('how do I swap a toner cartridge on my laser unit')).toContain('a');
      expect((await ids5('printer zzzunknown')).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('ranks more of the query, and rarer words, first', async () => {
      // a has both rare words, c one of them; the others only the common "printer".
      const hits = await ids5('printer toner cartridge');
      expect(hits.slice(0, 2)).toEqual(['a', 'c']);
      expect(hits).toHaveLength(5);
    });

    it('scores in 0..1: the share of the query matched, weighted by rarity', async () => {
      const [full] = await in5('toner cartridge');
      const [half] = await in5('toner zzzunknown');
      for (const h of [full, half]) {
        expect(h.score).toBeGreaterThan(0);
        expect(h.score).toBeLessThan(1);
      }
      expect(full.score).toBeGreaterThan(half.score * 1.5);
    });

    it('a quoted phrase must occur, its words adjacent', async () => {
      expect(await ids5('"paper jams"')).toEqual(['d']);
      // e has "paper" and "jam", but not next to each other.
      expect(await ids5('"jam paper"')).toEqual([]);
      expect((await ids5('"printer rollers" toner')).sort()).toEqual(['d']);
    });

    it('a -word or -"phrase" leaves documents out', async () => {
      expect((await ids5('printer jam -paper')).sort()).toEqual(['a', 'b', 'c']);
      expect((await ids5('printer -"toner cartridge"')).sort()).toEqual(['b', 'c', 'd', 'e']);
      // Nothing left to look for: no hits, not every document without the word.
      expect(await ids5('-printer')).toEqual([]);
    });

    it('OR changes nothing: every word is optional already', async () => {
      expect(await ids5('toner OR cartridge')).toEqual(await ids5('toner cartridge'));
    });

    it('finds Japanese, Chinese and Korean words inside unspaced text (bigrams)', async () => {
      expect(await ids5('東京')).toEqual(['ja']);
      expect(await ids5('紙詰まり')).toEqual(['ja']);
      expect(await ids5('退款需要几天到账？')).toEqual(['zh']);
      expect(await ids5('비밀번호 변경 방법')).toEqual(['ko']);
      expect(await ids5('"東京都"')).toEqual(['ja']);
      expect(await ids5('"都東京"')).toEqual([]);
    });

    it('a query of one CJK character matches as the start of an indexed bigram', async () => {
      expect(await ids5('紙')).toEqual(['ja']);
      expect(await ids5('款')).toEqual([]);
    });
  });
});
