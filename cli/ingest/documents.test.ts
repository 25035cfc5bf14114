import { describe, expect, it } from 'vitest';
import { csvColumns, documentFromCsv, documentFromJson } from './documents.js';

const defaults = { tenantId: 'acme', locale: 'en' };

describe('documentFromJson', () => {
  it('maps the documented fields; the tenant comes from --tenant, a missing locale from --locale', () => {
    expect(
      documentFromJson(
        JSON.stringify({ id: 'a', title: 'T', content: 'C', source_type: 'kb', metadata: { team: 'x', n: 3, ok: true }, 'metadata.flat': 'y' }),
        defaults,
      ),
    ).toEqual({ document: { tenantId: 'acme', id: 'a', title: 'T', content: 'C', locale: 'en', sourceType: 'kb', metadata: { team: 'x', n: '3', ok: 'true', flat: 'y' } } });
    expect(documentFromJson('{"id":7,"content":"c","locale":"de"}', defaults)).toMatchObject({ document: { id: '7', locale: 'de' } });
  });

  it.each([
    ['{"id":"a","content":5}', /content must be a string/],
    ['{"content":"c"}', /id is missing/],
    ['{"id":"  ","content":"c"}', /id is missing or empty/],
    ['{"id":"a"}', /no content and no title/],
    ['{"id":"a","contents":"typo"}', /unknown field "contents"/],
    ['{"id":"a","content":"c","metadata":{"k":{"deep":1}}}', /metadata.k must be a string, number or boolean/],
    ['{"id":"a","content":"c","metadata":[1]}', /metadata must be an object/],
    ['[1,2]', /one JSON object/],
    ['{"id":"a",', /not valid JSON/],
  ])('refuses %s', (line, message) => {
    expect(documentFromJson(line, defaults)).toEqual({ error: expect.stringMatching(message) });
  });
});

describe('CSV columns and rows', () => {
  it('maps columns by header name, metadata.KEY per key, an empty metadata cell as absent', () => {
    const parsed = csvColumns(['id', 'content', 'locale', 'metadata.team', 'metadata.region']);
    expect(parsed).toEqual({ columns: ['id', 'content', 'locale', 'metadata.team', 'metadata.region'] });
    const columns = (parsed as { columns: string[] }).columns;
    expect(documentFromCsv(['a', 'text', '', 'x', ''], columns, defaults)).toEqual({
      document: { tenantId: 'acme', id: 'a', title: '', content: 'text', locale: 'en', sourceType: '', metadata: { team: 'x' } },
    });
    expect(documentFromCsv(['a', 'text'], columns, defaults)).toEqual({ error: '2 fields, but the header names 5 columns' });
  });

  it('refuses a header with an unknown, repeated or missing column', () => {
    expect(csvColumns(['id', 'colour'])).toEqual({ error: expect.stringMatching(/unknown column "colour"/) });
    expect(csvColumns(['id', 'content', 'content'])).toEqual({ error: 'column "content" appears twice' });
    expect(csvColumns(['title', 'content'])).toEqual({ error: expect.stringMatching(/no "id" column/) });
    expect(csvColumns(['id', 'metadata'])).toEqual({ error: expect.stringMatching(/unknown column "metadata"/) });
  });
});
