import { describe, expect, it } from 'vitest';
import { encodePageToken } from '../page-token.js';
import { SEARCH_LIMITS } from './limits.js';
import { cleanQueryText, parseSearchQuery, type SearchRequestInput } from './query.js';

const base: SearchRequestInput = { tenantId: 'acme', query: 'reset my password' };
const parse = (extra: Partial<SearchRequestInput> = {}) => parseSearchQuery({ ...base, ...extra });
const refused = (extra: Partial<SearchRequestInput>) => expect(() => parse(extra)).toThrowError(expect.objectContaining({ kind: 'invalid_argument' }));

describe('parseSearchQuery', () => {
  it('fills every default in one place', () => {
    const q = parse();
    expect(q).toMatchObject({
      tenantId: 'acme',
      text: 'reset my password',
      mode: 'hybrid',
      offset: 0,
      limit: SEARCH_LIMITS.defaultLimit,
      minScore: undefined,
      efSearch: undefined,
      fusion: { method: 'weighted', semanticWeight: undefined },
      filters: { locale: '', sourceTypes: [], metadata: null },
    });
    expect(Object.isFrozen(q)).toBe(true);
  });

  it('treats proto zero values as unset', () => {
    expect(parse({ limit: 0, efSearch: 0, pageToken: '', locale: '' })).toMatchObject({ limit: 10, efSearch: undefined, offset: 0, filters: { locale: '' } });
  });

  it('canonicalizes filters', () => {
    const q = parse({ locale: 'de_ch', filters: { sourceTypes: ['wiki', 'wiki', 'faq\u0000'], metadata: { team: 'blue' } } });
    expect(q.filters).toEqual({ locale: 'de-CH', sourceTypes: ['wiki', 'faq'], metadata: { team: 'blue' } });
  });

  it('cleans the text once: NFC, whitespace, NUL, and cuts a very long query at a space', () => {
    expect(parse({ query: '  Cafe\u0301 \n au\u0000 lait ' }).text).toBe('Café au lait');
    const long = cleanQueryText('word '.repeat(10_000));
    expect(long.length).toBeLessThanOrEqual(SEARCH_LIMITS.maxQueryChars);
    expect(long.endsWith('word')).toBe(true);
  });

  it.each<[string, Partial<SearchRequestInput>]>([
    ['a blank tenant', { tenantId: '   ' }],
    ['no tenant', { tenantId: '' }],
    ['an empty query', { query: ' \t ' }],
    ['a query of NULs', { query: '\u0000\u0000' }],
    ['a limit past the maximum', { limit: SEARCH_LIMITS.maxLimit + 1 }],
    ['min_score above 1', { minScore: 1.5 }],
    ['min_score NaN', { minScore: Number.NaN }],
    ['ef_search past the maximum', { efSearch: 5000 }],
    ['semantic_weight above 1', { semanticWeight: 2 }],
    ['a malformed locale', { locale: "en'; DROP TABLE documents;--" }],
    ['a token of another request', { pageToken: encodePageToken(10, 'not-this-request') }],
    ['a garbage token', { pageToken: 'bnVsbA' }],
  ])('refuses %s with INVALID_ARGUMENT', (_label, extra) => refused(extra));

  it('binds page tokens to the request and refuses pages past the depth limit', () => {
    const first = parse({ limit: 10 });
    expect(parse({ limit: 10, pageToken: encodePageToken(10, first.digest) }).offset).toBe(10);
    // Another filter is another request.
    refused({ limit: 10, locale: 'en', pageToken: encodePageToken(10, first.digest) });
    refused({ limit: 10, pageToken: encodePageToken(SEARCH_LIMITS.maxDepth, first.digest) });
  });
});
