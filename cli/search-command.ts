import { SearchMode, type PolysearchSearchClient, type SearchResponse } from '../shared/client/index.js';
import { renderTable } from './table.js';

export const MODES: Record<string, SearchMode> = {
  hybrid: SearchMode.SEARCH_MODE_HYBRID,
  semantic: SearchMode.SEARCH_MODE_SEMANTIC,
  keyword: SearchMode.SEARCH_MODE_KEYWORD,
};

export interface SearchOptions {
  tenantId: string;
  query: string;
  mode: SearchMode;
  locale: string;
  limit: number;
  pageToken: string;
  json: boolean;
  width: number;
}

const modeName = (m: SearchMode) => SearchMode[m]?.replace('SEARCH_MODE_', '').toLowerCase() ?? String(m);

/** The response as people read it: a line about how it was answered, then one row per hit. */
export function formatSearch(res: SearchResponse, o: Pick<SearchOptions, 'tenantId' | 'width'>): string {
  const about = [
    `${modeName(res.modeUsed)} search in tenant ${JSON.stringify(o.tenantId)}`,
    `${res.hits.length} hit${res.hits.length === 1 ? '' : 's'}`,
    `${res.tookMs.toFixed(1)} ms`,
    res.cacheHit ? 'query vector from cache' : '',
    res.degraded ? `DEGRADED: ${res.degradedReason}` : '',
  ].filter(Boolean);
  const lines = [about.join(' · ')];
  if (res.hits.length === 0) lines.push('(no hits)');
  else {
    lines.push(
      renderTable(
        [
          { header: '#', align: 'right' },
          { header: 'score', align: 'right' },
          { header: 'id', max: 24 },
          { header: 'locale', max: 8 },
          { header: 'title', max: 32 },
          { header: 'snippet', flex: true, min: 20 },
        ],
        res.hits.map((h, i) => [String(i + 1), h.score.toFixed(4), h.id, h.locale, h.title, h.snippet]),
        o.width,
      ),
    );
  }
  if (res.nextPageToken) lines.push(`more: --page-token ${res.nextPageToken}`);
  return lines.join('\n');
}

export async function search(client: PolysearchSearchClient, o: SearchOptions, out: { write(s: string): unknown }): Promise<void> {
  const res = await client.search({ tenantId: o.tenantId, query: o.query, mode: o.mode, locale: o.locale, limit: o.limit, pageToken: o.pageToken });
  out.write(`${o.json ? JSON.stringify(res, null, 2) : formatSearch(res, o)}\n`);
}
