import { unary } from '../../../../shared/grpc/status.js';
import {
  Fusion,
  SearchMode,
  SearchService,
  type DeleteRequest,
  type DeleteResponse,
  type GetRequest,
  type GetResponse,
  type SearchRequest,
  type SearchResponse,
  type SearchServer,
  type StatsRequest,
  type StatsResponse,
  type UpsertRequest,
  type UpsertResponse,
} from '../../../../shared/generated/polysearch/search/v1/search.js';
import type { DocumentCore } from '../core/document-core.js';
import type { FusionMethod, Mode, SearchCore } from '../core/search-core.js';

export { SearchService };

const MODE_IN: Record<number, Mode> = {
  [SearchMode.SEARCH_MODE_UNSPECIFIED]: 'hybrid',
  [SearchMode.SEARCH_MODE_HYBRID]: 'hybrid',
  [SearchMode.SEARCH_MODE_SEMANTIC]: 'semantic',
  [SearchMode.SEARCH_MODE_KEYWORD]: 'keyword',
};
const MODE_OUT: Record<Mode, SearchMode> = {
  hybrid: SearchMode.SEARCH_MODE_HYBRID,
  semantic: SearchMode.SEARCH_MODE_SEMANTIC,
  keyword: SearchMode.SEARCH_MODE_KEYWORD,
};
const FUSION_OUT: Record<FusionMethod, Fusion> = { rrf: Fusion.FUSION_RRF, weighted: Fusion.FUSION_WEIGHTED };
/** FUSION_UNSPECIFIED (and values this build does not know) leave the choice to the server's default. */
const FUSION_IN: Partial<Record<Fusion, FusionMethod>> = { [Fusion.FUSION_RRF]: 'rrf', [Fusion.FUSION_WEIGHTED]: 'weighted' };

/** Thin handlers: map the proto to core calls and the results back. */
export function searchHandlers(search: SearchCore, documents: DocumentCore): SearchServer {
  return {
    upsert: unary<UpsertRequest, UpsertResponse>(async (req) => documents.upsert(req.documents)),
    delete: unary<DeleteRequest, DeleteResponse>(async (req) => ({ deleted: await documents.delete(req.tenantId, req.ids) })),
    get: unary<GetRequest, GetResponse>(async (req) => {
      const d = await documents.get(req.tenantId, req.id);
      return {
        document: {
          document: d.document,
          createdAt: d.createdAt,
          updatedAt: d.updatedAt,
          contentSha256: d.contentSha256,
          passageCount: d.passageCount,
          pendingPassages: d.pendingPassages,
        },
      };
    }),
    search: unary<SearchRequest, SearchResponse>(async (req) => {
      const out = await search.search({
        tenantId: req.tenantId,
        query: req.query,
        locale: req.locale,
        mode: MODE_IN[req.mode],
        limit: req.limit,
        pageToken: req.pageToken,
        minScore: req.minScore,
        filters: req.filters,
        efSearch: req.efSearch,
        fusion: FUSION_IN[req.fusion],
        semanticWeight: req.semanticWeight,
      });
      return {
        hits: out.hits.map((h) => ({
          id: h.id,
          title: h.title,
          snippet: h.snippet,
          score: h.score,
          semanticScore: h.semanticScore,
          keywordScore: h.keywordScore,
          metadata: h.metadata,
          locale: h.locale,
          sourceType: h.sourceType,
          passageIndex: h.passageIndex,
        })),
        modeUsed: MODE_OUT[out.modeUsed],
        degraded: out.degraded,
        degradedReason: out.degradedReason,
        cacheHit: out.cacheHit,
        fusionUsed: out.fusionUsed ? FUSION_OUT[out.fusionUsed] : Fusion.FUSION_UNSPECIFIED,
        tookMs: out.tookMs,
        nextPageToken: out.nextPageToken,
        lowConfidence: out.lowConfidence,
      };
    }),
    stats: unary<StatsRequest, StatsResponse>(async (req) => {
      const s = await documents.stats(req.tenantId);
      return {
        tenants: s.tenants.map((t) => ({ tenantId: t.tenantId, documents: t.documents, passages: t.passages, pendingPassages: t.pendingPassages })),
        pendingPassages: s.pendingPassages,
        fingerprint: s.fingerprint,
        stalePassages: s.stalePassages,
      };
    }),
  };
}
