import type { ServerUnaryCall } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { Fusion, SearchRequest, type SearchResponse } from '../../../../shared/generated/polysearch/search/v1/search.js';
import type { DocumentCore } from '../core/document-core.js';
import type { SearchCore, SearchRequestInput, SearchResult } from '../core/search-core.js';
import { searchHandlers } from './search-service.js';

/** The Search handler over a stub core: what it passes in, what it maps out. */
async function searchWith(request: Partial<SearchRequest>, result: Partial<SearchResult> = {}) {
  const seen: SearchRequestInput[] = [];
  const core = {
    async search(input: SearchRequestInput): Promise<SearchResult> {
      seen.push(input);
      const base: SearchResult = {
        hits: [],
        personalized: false,
        notes: [],
        modeUsed: 'hybrid',
        fusionUsed: 'weighted',
        degraded: false,
        degradedReason: '',
        lowConfidence: false,
        cacheHit: false,
        tookMs: 1,
        nextPageToken: '',
      };
      return { ...base, ...result };
    },
  } as unknown as SearchCore;
  const handler = searchHandlers({ search: core, documents: {} as DocumentCore, interactions: {} as never, models: {} as never }).search;
  const response = await new Promise<SearchResponse>((resolve, reject) =>
    handler({ request: SearchRequest.fromPartial(request) } as ServerUnaryCall<SearchRequest, SearchResponse>, (err, res) => (err ? reject(err) : resolve(res!))),
  );
  return { input: seen[0], response };
}

describe('Search handler mapping', () => {
  it('leaves an unspecified fusion to the server default and passes RRF / weighted through', async () => {
    expect((await searchWith({ tenantId: 't', query: 'q' })).input.fusion).toBeUndefined();
    expect((await searchWith({ tenantId: 't', query: 'q', fusion: Fusion.FUSION_RRF })).input.fusion).toBe('rrf');
    expect((await searchWith({ tenantId: 't', query: 'q', fusion: Fusion.FUSION_WEIGHTED })).input.fusion).toBe('weighted');
  });

  it('maps low_confidence and the fusion used', async () => {
    const { response } = await searchWith({ tenantId: 't', query: 'q' }, { lowConfidence: true });
    expect(response.lowConfidence).toBe(true);
    expect(response.fusionUsed).toBe(Fusion.FUSION_WEIGHTED);
    expect((await searchWith({ tenantId: 't', query: 'q' })).response.lowConfidence).toBe(false);
  });
});
