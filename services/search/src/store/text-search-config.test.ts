import { describe, expect, it } from 'vitest';
import { isPolysearchError } from '../../../../shared/errors.js';
import {
  ALL_TEXT_SEARCH_CONFIGS,
  canonicalizeLocale,
  primaryLanguage,
  TEXT_SEARCH_CONFIG_BY_LANGUAGE,
  textSearchConfigFor,
} from './text-search-config.js';

/** What `SELECT cfgname FROM pg_ts_config` lists on PostgreSQL 15. */
const POSTGRES_15_CONFIGS = new Set(
  'arabic armenian basque catalan danish dutch english finnish french german greek hindi hungarian indonesian irish italian lithuanian nepali norwegian portuguese romanian russian serbian simple spanish swedish tamil turkish yiddish'.split(
    ' ',
  ),
);

describe('textSearchConfigFor', () => {
  it.each([
    ['en', 'english'],
    ['en-US', 'english'],
    ['de', 'german'],
    ['de-CH', 'german'],
    ['fr-CA', 'french'],
    ['it', 'italian'],
    ['es-419', 'spanish'],
    ['pt-BR', 'portuguese'],
    ['nl', 'dutch'],
    ['sv', 'swedish'],
    ['da', 'danish'],
    ['fi', 'finnish'],
    ['nb', 'norwegian'],
    ['nn', 'norwegian'],
    ['no', 'norwegian'],
    ['ru', 'russian'],
    ['hu', 'hungarian'],
    ['ro', 'romanian'],
    ['tr', 'turkish'],
    ['ar-EG', 'arabic'],
    ['el', 'greek'],
    ['id', 'indonesian'],
    ['ga', 'irish'],
    ['lt', 'lithuanian'],
    ['ne', 'nepali'],
    ['ta', 'tamil'],
    ['hy', 'armenian'],
    ['eu', 'basque'],
    ['ca', 'catalan'],
    ['sr-Latn', 'serbian'],
    ['sr-Cyrl-RS', 'serbian'],
    ['yi', 'yiddish'],
    ['hi', 'hindi'],
  ])('%s → %s', (locale, config) => {
    expect(textSearchConfigFor(locale)).toBe(config);
  });

  it('is case-insensitive and accepts underscores', () => {
    expect(textSearchConfigFor('DE_at')).toBe('german');
    expect(textSearchConfigFor('EN')).toBe('english');
  });

  it('resolves deprecated language subtags', () => {
    expect(textSearchConfigFor('in')).toBe('indonesian');
    expect(textSearchConfigFor('mo')).toBe('romanian');
    expect(textSearchConfigFor('ji')).toBe('yiddish');
  });

  it.each(['', '   ', 'zh-Hans', 'ja', 'ko', 'th', 'pl', 'uk', 'xx', 'not a tag!', "english'; DROP TABLE x;--", 'toString', 'constructor', '__proto__'])(
    'falls back to simple for %j',
    (locale) => {
      expect(textSearchConfigFor(locale)).toBe('simple');
    },
  );

  it('falls back to simple for null and undefined', () => {
    expect(textSearchConfigFor(undefined)).toBe('simple');
    expect(textSearchConfigFor(null)).toBe('simple');
  });

  it('only names configurations PostgreSQL 15 ships', () => {
    for (const config of ALL_TEXT_SEARCH_CONFIGS) expect(POSTGRES_15_CONFIGS.has(config), config).toBe(true);
    expect(new Set(Object.values(TEXT_SEARCH_CONFIG_BY_LANGUAGE)).size).toBe(POSTGRES_15_CONFIGS.size - 1);
  });
});

describe('canonicalizeLocale', () => {
  it('canonicalizes case and separators', () => {
    expect(canonicalizeLocale('de-ch')).toBe('de-CH');
    expect(canonicalizeLocale('pt_br')).toBe('pt-BR');
    expect(canonicalizeLocale('zh-hans-cn')).toBe('zh-Hans-CN');
    expect(canonicalizeLocale(' en ')).toBe('en');
  });

  it('maps empty to empty', () => {
    expect(canonicalizeLocale('')).toBe('');
    expect(canonicalizeLocale(undefined)).toBe('');
  });

  it.each(['english!', 'x', 'de--CH', "en'; --", 'a'.repeat(65)])('rejects %j with INVALID_ARGUMENT', (tag) => {
    let error: unknown;
    try {
      canonicalizeLocale(tag);
    } catch (err) {
      error = err;
    }
    expect(isPolysearchError(error) && error.kind).toBe('invalid_argument');
  });
});

describe('primaryLanguage', () => {
  it('takes the first subtag, lower-cased', () => {
    expect(primaryLanguage('DE-ch')).toBe('de');
    expect(primaryLanguage('')).toBe('');
    expect(primaryLanguage('-x')).toBe('');
  });
});
