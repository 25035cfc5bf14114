import { invalidArgument } from '../../../../shared/errors.js';
import { unary } from '../../../../shared/grpc/status.js';
import {
  Fusion,
  InteractionKind,
  SearchMode,
  SearchService,
  type DeleteRequest,
  type DeleteResponse,
  type ForgetUserRequest,
  type ForgetUserResponse,
  type GetRequest,
  type GetResponse,
  type Hit,
  type RecommendRequest,
  type RecommendResponse,
  type RecordInteractionsRequest,
  type RecordInteractionsResponse,
  type SearchRequest,
  type SearchResponse,
  type SearchServer,
  type SimilarUsersRequest,
  type SimilarUsersResponse,
  type StatsRequest,
  type StatsResponse,
  type UpsertRequest,
  type UpsertResponse,
} from '../../../../shared/generated/polysearch/search/v1/search.js';
import type { DocumentCore } from '../core/document-core.js';
import type { InteractionsCore } from '../core/personalization/interactions-core.js';
import type { SignalKind } from '../core/personalization/signals.js';
import type { ModelDirectory } from '../core/rotation/model-directory.js';
import type { Candidate } from '../core/search/ports.js';
import type { FusionMethod, Mode, SearchCore } from '../core/search-core.js';
import { modelStatusOut } from './model-status.js';

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

const KIND_IN: Partial<Record<InteractionKind, SignalKind>> = {
  [InteractionKind.INTERACTION_KIND_RATING]: 'rating',
  [InteractionKind.INTERACTION_KIND_LIKE]: 'like',
  [InteractionKind.INTERACTION_KIND_DISLIKE]: 'dislike',
  [InteractionKind.INTERACTION_KIND_CLICK]: 'click',
};

function kindIn(kind: InteractionKind, i: number): SignalKind {
  const k = KIND_IN[kind];
  if (!k) throw invalidArgument(`interactions[${i}].kind is required: RATING, LIKE, DISLIKE or CLICK`, 'bad_kind');
  return k;
}

function hitOut(h: Candidate & { semanticScore?: number; keywordScore?: number; personalScore?: number }): Hit {
  return {
    id: h.id,
    title: h.title,
    snippet: h.snippet,
    score: h.score,
    semanticScore: h.semanticScore ?? 0,
    keywordScore: h.keywordScore ?? 0,
    metadata: h.metadata,
    locale: h.locale,
    sourceType: h.sourceType,
    passageIndex: h.passageIndex,
    personalScore: h.personalScore,
  };
}

export interface SearchHandlerDeps {
  search: SearchCore;
  documents: DocumentCore;
  interactions: InteractionsCore;
  models: ModelDirectory;
}

/** Thin handlers: map the proto to core calls and the results back. */
export function searchHandlers({ search, documents, interactions, models }: SearchHandlerDeps): SearchServer {
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
          failedPassages: d.failedPassages,
          passageFailures: d.passageFailures,
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
        userId: req.userId,
        personalizationWeight: req.personalizationWeight,
      });
      return {
        hits: out.hits.map(hitOut),
        personalized: out.personalized,
        notes: out.notes,
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
      const rotation = await models.status();
      return {
        models: rotation.models.map(modelStatusOut),
        tenants: s.tenants.map((t) => ({
          tenantId: t.tenantId,
          documents: t.documents,
          passages: t.passages,
          pendingPassages: t.pendingPassages,
          failedPassages: t.failedPassages,
        })),
        pendingPassages: s.pendingPassages,
        fingerprint: s.fingerprint,
        // Vectors of another model are kept per model now (see models); nothing is stale in place.
        stalePassages: 0,
        failedPassages: s.failedPassages,
      };
    }),
    recordInteractions: unary<RecordInteractionsRequest, RecordInteractionsResponse>(async (req) => {
      const out = await interactions.record({
        tenantId: req.tenantId,
        userId: req.userId,
        interactions: req.interactions.map((i, n) => ({
          documentId: i.documentId,
          kind: kindIn(i.kind, n),
          rating: i.rating,
          weight: i.weight,
          at: i.at ? i.at.getTime() : undefined,
        })),
      });
      return { recorded: out.recorded, tasteVectors: out.tastes };
    }),
    recommend: unary<RecommendRequest, RecommendResponse>(async (req) => {
      const out = await interactions.recommend({ tenantId: req.tenantId, userId: req.userId, limit: req.limit, locale: req.locale, filters: req.filters });
      return { hits: out.hits.map(hitOut), note: out.note };
    }),
    similarUsers: unary<SimilarUsersRequest, SimilarUsersResponse>(async (req) => {
      const out = await interactions.similarUsers({ tenantId: req.tenantId, userId: req.userId, limit: req.limit });
      return { users: out.users, note: out.note };
    }),
    forgetUser: unary<ForgetUserRequest, ForgetUserResponse>(async (req) => interactions.forget({ tenantId: req.tenantId, userId: req.userId })),
  };
}
