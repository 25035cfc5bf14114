import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentWords, sharedContentWords } from './content-words.js';
import { loadSuite, QUERY_TYPES, SuiteError } from './suite.js';

describe('the shipped relevance suite', () => {
  const suite = loadSuite();
  const docs = new Map(suite.documents.map((d) => [d.id, d]));

  it('covers at least six languages, including en, de, fr, es, it and a CJK language', () => {
    expect(suite.languages.length).toBeGreaterThanOrEqual(6);
    for (const lang of ['en', 'de', 'fr', 'es', 'it']) expect(suite.languages).toContain(lang);
    expect(suite.languages.some((l) => ['ja', 'zh', 'ko'].includes(l))).toBe(true);
  });

  it('has at least 40 queries per language, of every type', () => {
    for (const lang of suite.languages) {
      const queries = suite.queries.filter((q) => q.lang === lang);
      expect(queries.length, lang).toBeGreaterThanOrEqual(40);
      for (const type of QUERY_TYPES) expect(queries.filter((q) => q.type === type).length, `${lang} ${type}`).toBeGreaterThanOrEqual(5);
    }
  });

  it('has documents in every query language, some long enough for several passages', () => {
    for (const lang of suite.languages) {
      const own = suite.documents.filter((d) => d.lang === lang);
      expect(own.length, lang).toBeGreaterThanOrEqual(30);
      // ~180 words or ~350 CJK characters make a passage (services/search/src/passages/chunker.ts).
      const long = own.filter((d) => d.content.split(/\s+/).length > 250 || d.content.length > 600);
      expect(long.length, lang).toBeGreaterThanOrEqual(1);
    }
  });

  it('words every paraphrase query without a content word of its answers', () => {
    for (const q of suite.queries.filter((q) => q.type === 'paraphrase')) {
      expect(contentWords(q.query, q.lang).size, q.id).toBeGreaterThan(0);
      for (const [id, grade] of Object.entries(q.relevant)) {
        if (grade !== 2) continue;
        const d = docs.get(id)!;
        expect(sharedContentWords(q.query, q.lang, `${d.title}\n${d.content}`, d.lang), `${q.id} vs ${id}`).toEqual([]);
      }
    }
  });

  it('finds shared content words where there are some (the check above can fail)', () => {
    expect(sharedContentWords('reset the password', 'en', 'Reset your password', 'en')).toEqual(['reset', 'password']);
    expect(sharedContentWords('发票怎么开', 'zh', '如何开具发票', 'zh')).toEqual(['发票']);
  });
});

describe('loadSuite', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(corpus: Record<string, string>, queries: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'suite-'));
    mkdirSync(join(dir, 'corpus'));
    mkdirSync(join(dir, 'queries'));
    for (const [lang, text] of Object.entries(corpus)) writeFileSync(join(dir, 'corpus', `${lang}.jsonl`), text);
    for (const [lang, text] of Object.entries(queries)) writeFileSync(join(dir, 'queries', `${lang}.jsonl`), text);
    return dir;
  }
  const doc = (id: string, lang = 'en') => JSON.stringify({ id, lang, source: 's', kind: 'faq', title: 't', content: 'c' });
  const query = (fields: Record<string, unknown>) => JSON.stringify({ id: 'en-q01', lang: 'en', type: 'question', query: 'q', relevant: { 'en-a': 2 }, ...fields });

  it('reads documents of every language and the queries asked for', () => {
    const s = loadSuite(write({ en: `${doc('en-a')}\n\n`, de: doc('de-b', 'de') }, { en: query({}), de: query({ id: 'de-q01', lang: 'de', type: 'cross-language' }) }), {
      languages: ['en'],
    });
    expect(s.documents.map((d) => d.id)).toEqual(['de-b', 'en-a']);
    expect(s.queries.map((q) => q.id)).toEqual(['en-q01']);
    expect(s.languages).toEqual(['en']);
  });

  it.each([
    ['a line that is not JSON', { en: `${doc('en-a')}\n{oops` }, { en: query({}) }, /corpus\/en\.jsonl:2: not JSON/],
    ['an unknown field', { en: doc('en-a').replace('}', ',"extra":1}') }, { en: query({}) }, /corpus\/en\.jsonl:1: line: Unrecognized key/],
    ['a document in the wrong file', { en: doc('en-a', 'de') }, { en: query({}) }, /lang de in the file of en/],
    ['a duplicate document id', { en: `${doc('en-a')}\n${doc('en-a')}` }, { en: query({}) }, /document id en-a appears twice/],
    ['a judgment of an unknown document', { en: doc('en-a') }, { en: query({ relevant: { 'en-zz': 2 } }) }, /judges unknown document en-zz/],
    ['an unanswerable query with judgments', { en: doc('en-a') }, { en: query({ type: 'unanswerable' }) }, /an unanswerable query judges documents/],
    ['a query without any judgment', { en: doc('en-a') }, { en: query({ relevant: {} }) }, /a query with an answer judges no document/],
    ['a query with only partial answers', { en: doc('en-a') }, { en: query({ relevant: { 'en-a': 1 } }) }, /has no full answer/],
    ['a grade out of range', { en: doc('en-a') }, { en: query({ relevant: { 'en-a': 3 } }) }, /queries\/en\.jsonl:1: relevant\.en-a/],
    ['a cross-language query answered in its own language', { en: doc('en-a') }, { en: query({ type: 'cross-language' }) }, /has a full answer in its own language/],
    ['a same-language query answered only elsewhere', { en: doc('en-a'), de: doc('de-b', 'de') }, { en: query({ relevant: { 'de-b': 2 } }) }, /make it cross-language/],
  ])('rejects %s, naming where', (_name, corpus, queries, message) => {
    expect(() => loadSuite(write(corpus, queries))).toThrow(SuiteError);
    expect(() => loadSuite(dir)).toThrow(message);
  });

  it('rejects a language without queries', () => {
    expect(() => loadSuite(write({ en: doc('en-a') }, { en: query({}) }), { languages: ['fr'] })).toThrow(/no queries for language fr/);
  });
});
