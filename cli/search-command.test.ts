import { describe, expect, it } from 'vitest';
import { SearchMode, SearchResponse, StatsResponse } from '../shared/generated/polysearch/search/v1/search.js';
import { formatSearch } from './search-command.js';
import { formatStats } from './stats-command.js';

describe('search output', () => {
  const res = SearchResponse.fromPartial({
    modeUsed: SearchMode.SEARCH_MODE_KEYWORD,
    degraded: true,
    degradedReason: 'embedder_unavailable',
    tookMs: 3.21,
    nextPageToken: 'tok',
    hits: [
      { id: 'inv-1', title: 'Rechnung per E-Mail', snippet: 'Sie erhalten die Rechnung\nper E-Mail, jeden Monat, automatisch und kostenlos an Ihre Adresse.', score: 0.61234, locale: 'de' },
      { id: 'inv-2', title: 'Invoice', snippet: 'short', score: 0.5, locale: 'en' },
    ],
  });

  it('is a line about how it was answered, then an aligned table cut to the width', () => {
    const lines = formatSearch(res, { tenantId: 'acme', width: 80 }).split('\n');
    expect(lines[0]).toBe('keyword search in tenant "acme" · 2 hits · 3.2 ms · DEGRADED: embedder_unavailable');
    expect(lines[1]).toMatch(/^#\s+score\s+id\s+locale\s+title\s+snippet$/);
    expect(lines[2]).toMatch(/^1\s+0\.6123\s+inv-1\s+de\s+Rechnung per E-Mail\s+Sie erhalten die Rechnung per E-.*…$/);
    expect(lines[3]).toMatch(/^2\s+0\.5000\s+inv-2\s+en\s+Invoice\s+short$/);
    expect(Math.max(...lines.slice(1, 4).map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(lines[1].indexOf('snippet')).toBe(lines[2].indexOf('Sie'));
    expect(lines.at(-1)).toBe('more: --page-token tok');
  });

  it('says so when there are no hits', () => {
    expect(formatSearch(SearchResponse.fromPartial({ modeUsed: SearchMode.SEARCH_MODE_HYBRID }), { tenantId: 't', width: 80 })).toContain('(no hits)');
  });
});

describe('stats output', () => {
  it('is a table per tenant with totals below', () => {
    const text = formatStats(
      StatsResponse.fromPartial({ tenants: [{ tenantId: 'acme', documents: 1234, passages: 2000, pendingPassages: 5 }], pendingPassages: 5, fingerprint: 'abcdef0123456789ffff' }),
    );
    expect(text.split('\n')).toEqual([
      'tenant  documents  passages  pending embeddings',
      'acme        1,234     2,000                   5',
      'pending passages 5 · stale passages 0 · model abcdef0123456789',
    ]);
  });
});
