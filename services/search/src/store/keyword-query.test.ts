import { describe, expect, it } from 'vitest';
import { parseKeywordQuery } from './keyword-query.js';

describe('parseKeywordQuery', () => {
  it('plain words are all positive', () => {
    expect(parseKeywordQuery('reset my password')).toEqual({ positive: 'reset my password', phrases: [], excluded: [] });
  });

  it('a quoted phrase is required and its words count towards the rank', () => {
    expect(parseKeywordQuery('toner "paper jam" tray')).toEqual({ positive: 'toner paper jam tray', phrases: ['paper jam'], excluded: [] });
  });

  it('an unclosed quote runs to the end, an empty one is nothing', () => {
    expect(parseKeywordQuery('printer "paper jam')).toEqual({ positive: 'printer paper jam', phrases: ['paper jam'], excluded: [] });
    expect(parseKeywordQuery('"" printer "  "')).toEqual({ positive: 'printer', phrases: [], excluded: [] });
  });

  it('a leading - excludes a word or a phrase; a - inside a word or alone is text', () => {
    expect(parseKeywordQuery('printer -paper -"toner cartridge" wi-fi - x')).toEqual({
      positive: 'printer wi-fi x',
      phrases: [],
      excluded: ['paper', 'toner cartridge'],
    });
  });

  it('OR (any case) is dropped: every word is optional already', () => {
    expect(parseKeywordQuery('toner OR cartridge or ink')).toEqual({ positive: 'toner cartridge ink', phrases: [], excluded: [] });
  });

  it('keeps tsquery operators and other punctuation as text, for the parser to drop', () => {
    expect(parseKeywordQuery("printer & | ! <-> :* 'x'")).toEqual({ positive: "printer & | ! <-> :* 'x'", phrases: [], excluded: [] });
  });

  it('a query of exclusions only has nothing positive', () => {
    expect(parseKeywordQuery('-printer -"paper jam"').positive).toBe('');
  });
});
