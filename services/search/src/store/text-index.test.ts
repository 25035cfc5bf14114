import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from './test-support/fixtures.js';
import { isSingleCjkCharacter, keywordTextSql, passageTsvectorSql } from './text-index.js';

describe('keyword_text (schema function)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: 4 });
  });
  afterAll(() => t.cleanup());

  const text = async (input: string) =>
    (await t.testDb.db.query<{ out: string }>(`SELECT ${keywordTextSql(t.store.ctx.s, '$1::text')} AS out`, [input])).rows[0].out.replace(/\s+/g, ' ').trim();
  const lexemes = async (config: string, input: string) =>
    (
      await t.testDb.db.query<{ l: string[] }>(`SELECT tsvector_to_array(to_tsvector($1::regconfig, ${keywordTextSql(t.store.ctx.s, '$2::text')})) AS l`, [config, input])
    ).rows[0].l.sort();

  it('splits runs of Han, kana and Hangul into overlapping bigrams, a lone character into itself', async () => {
    expect(await text('東京都の天気')).toBe('東京 京都 都の の天 天気');
    expect(await text('비밀번호를 바꾸다')).toBe('비밀 밀번 번호 호를 바꾸 꾸다');
    expect(await text('紙')).toBe('紙');
    expect(await text('第2回')).toBe('第 2 回');
    // Supplementary-plane ideographs (extension B) too.
    expect(await text('𠀋𠀌𠀍')).toBe('𠀋𠀌 𠀌𠀍');
  });

  it('separates CJK from Latin text and punctuation, and leaves other scripts alone', async () => {
    expect(await text('Wi-Fiの設定、完了。')).toBe('Wi-Fi の設 設定 、 完了 。');
    expect(await text('Die Rechnung kommt per E-Mail.')).toBe('Die Rechnung kommt per E-Mail.');
    expect(await lexemes('simple', 'Wi-Fiの設定')).toEqual(['fi', 'wi', 'wi-fi', 'の設', '設定'].sort());
  });

  it('applies NFKC: full-width Latin and half-width katakana meet their ordinary forms', async () => {
    expect(await text('ＰＤＦ ｶﾒﾗ ﬁle')).toBe('PDF カメ メラ file');
    expect(await lexemes('english', 'ＰＲＩＮＴＥＲＳ')).toEqual(['printer']);
  });

  it('keeps per-language stemming', async () => {
    expect(await lexemes('german', 'Häuser')).toEqual(await lexemes('german', 'häuser'));
    expect(await lexemes('english', 'printers running')).toEqual(['printer', 'run']);
  });

  it('the passage tsvector weighs the title A and the passage B', async () => {
    const { rows } = await t.testDb.db.query<{ v: string }>(
      `SELECT (${passageTsvectorSql(t.store.ctx.s, `'simple'::regconfig`, '$1::text', '$2::text')})::text AS v`,
      ['東京', '東京都'],
    );
    expect(rows[0].v).toBe(`'京都':3B '東京':1A,2B`);
  });
});

describe('isSingleCjkCharacter', () => {
  it('is true for one Han, kana or Hangul character only', () => {
    for (const c of ['紙', 'の', 'カ', '수', '𠀋']) expect(isSingleCjkCharacter(c), c).toBe(true);
    for (const c of ['', 'a', 'é', '東京', '・', '1']) expect(isSingleCjkCharacter(c), c).toBe(false);
  });
});

describe('migration 4 (keyword_text)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore({ dims: 4 });
  });
  afterAll(() => t.cleanup());

  it('re-derives the tsvector of rows written before it, and only of rows whose terms change', async () => {
    const { s } = t.store.ctx;
    const db = t.testDb.db;
    await t.store.upsertDocuments([
      { tenantId: 't1', id: 'ja', locale: 'ja', title: 'プリンター', content: '東京都のオフィス' },
      { tenantId: 't1', id: 'en', locale: 'en', title: 'Printers', content: 'The printer jammed.' },
      { tenantId: 't1', id: 'wide', locale: 'en', title: 'Ｗｉｄｅ', content: 'full-width ＰＲＩＮＴＥＲ' },
    ]);
    // The state a schema at version 1 left: tsv without keyword_text.
    await db.query(
      `UPDATE ${s}.passages p SET tsv = setweight(to_tsvector(p.ts_config, d.title), 'A') || setweight(to_tsvector(p.ts_config, p.content), 'B')
         FROM ${s}.documents d WHERE d.tenant_id = p.tenant_id AND d.id = p.doc_id`,
    );
    await db.query(`DELETE FROM ${s}.schema_migrations WHERE version = 4`);
    const version = async () =>
      Object.fromEntries(
        (await db.query<{ doc_id: string; v: string }>(`SELECT doc_id, xmin::text AS v FROM ${s}.passages WHERE tenant_id = 't1'`)).rows.map((r) => [r.doc_id, r.v]),
      );
    const tsv = async (id: string) => (await db.query<{ v: string }>(`SELECT tsv::text AS v FROM ${s}.passages WHERE tenant_id = 't1' AND doc_id = $1`, [id])).rows[0].v;
    expect(await tsv('ja')).not.toContain("'東京'");
    const before = await version();

    expect((await t.store.migrate()).applied).toEqual([4]);
    expect(await tsv('ja')).toContain("'東京'");
    expect(await tsv('ja')).toContain("'京都'");
    expect(await tsv('wide')).toContain("'printer'");
    const after = await version();
    expect(after.en).toBe(before.en);
    expect(after.ja).not.toBe(before.ja);
    // Keyword search finds the CJK document by a word inside a run.
    const hits = await t.store.keyword({ tenantId: 't1', text: '東京', filters: { locale: '', sourceTypes: [], metadata: null }, depth: 10 });
    expect(hits.map((h) => h.id)).toEqual(['ja']);
  });
});
