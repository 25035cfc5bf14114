import { route, type Route } from '../../../../shared/http/route.js';
import type { DocumentCore } from '../core/document-core.js';
import type { FusionMethod, Mode, SearchCore } from '../core/search-core.js';
import type { DocumentInput } from '../store/document-input.js';
import {
  deleteRequestSchema,
  deleteResponseSchema,
  documentParams,
  getResponseSchema,
  searchRequestSchema,
  searchResponseSchema,
  statsQuery,
  statsResponseSchema,
  tenantParams,
  upsertRequestSchema,
  upsertResponseSchema,
  type FusionName,
  type SearchModeName,
} from './schemas.js';

export interface SearchApiDeps {
  search: SearchCore;
  documents: DocumentCore;
}

// As in grpc/search-service.ts: UNSPECIFIED means the default. `satisfies` fails the build when the proto gains a value.
const MODE_IN = {
  SEARCH_MODE_UNSPECIFIED: 'hybrid',
  SEARCH_MODE_HYBRID: 'hybrid',
  SEARCH_MODE_SEMANTIC: 'semantic',
  SEARCH_MODE_KEYWORD: 'keyword',
} as const satisfies Record<SearchModeName, Mode>;
const MODE_OUT = { hybrid: 'SEARCH_MODE_HYBRID', semantic: 'SEARCH_MODE_SEMANTIC', keyword: 'SEARCH_MODE_KEYWORD' } as const satisfies Record<Mode, SearchModeName>;
// Unspecified: the server's default fusion (the core decides, as for gRPC).
const FUSION_IN = { FUSION_UNSPECIFIED: undefined, FUSION_RRF: 'rrf', FUSION_WEIGHTED: 'weighted' } as const satisfies Record<FusionName, FusionMethod | undefined>;
const FUSION_OUT = { rrf: 'FUSION_RRF', weighted: 'FUSION_WEIGHTED' } as const satisfies Record<FusionMethod, FusionName>;

const r = route<SearchApiDeps>();

/**
 * The search HTTP/JSON API, one entry per operation, each the twin of an RPC
 * of polysearch.search.v1.Search: same core call, same validation, fields
 * mapped one-to-one (absent = the proto zero value, as gRPC decodes it). The
 * server (shared/http/json-api-server.ts) serves this table and
 * scripts/openapi.ts generates api/openapi/search.yaml from it, so a route is
 * added by adding an entry here (and `npm run openapi`).
 */
export const searchRoutes: readonly Route<SearchApiDeps>[] = [
  r({
    method: 'POST',
    path: '/v1/tenants/{tenant_id}/search',
    operationId: 'search',
    summary: 'Search a tenant by meaning, by keyword or both (Search.Search)',
    description:
      'While the embedder cannot answer, semantic and hybrid searches are answered by keyword with degraded=true and a degraded_reason, not refused.',
    tags: ['search'],
    params: tenantParams,
    body: searchRequestSchema,
    response: searchResponseSchema,
    errors: ['invalid_argument', 'unavailable', 'deadline_exceeded', 'internal'],
    handle: async ({ params, body }, { search }) => {
      const out = await search.search({
        tenantId: params.tenant_id,
        query: body.query ?? '',
        locale: body.locale ?? '',
        mode: MODE_IN[body.mode ?? 'SEARCH_MODE_UNSPECIFIED'],
        limit: body.limit ?? 0,
        pageToken: body.page_token ?? '',
        minScore: body.min_score,
        filters: body.filters && { sourceTypes: body.filters.source_types ?? [], metadata: body.filters.metadata ?? {} },
        efSearch: body.ef_search ?? 0,
        fusion: FUSION_IN[body.fusion ?? 'FUSION_UNSPECIFIED'],
        semanticWeight: body.semantic_weight,
        userId: body.user_id ?? '',
        personalizationWeight: body.personalization_weight,
      });
      return {
        hits: out.hits.map((h) => ({
          id: h.id,
          title: h.title,
          snippet: h.snippet,
          score: h.score,
          semantic_score: h.semanticScore,
          keyword_score: h.keywordScore,
          metadata: h.metadata,
          locale: h.locale,
          source_type: h.sourceType,
          passage_index: h.passageIndex,
          ...(h.personalScore === undefined ? {} : { personal_score: h.personalScore }),
        })),
        mode_used: MODE_OUT[out.modeUsed],
        degraded: out.degraded,
        degraded_reason: out.degradedReason,
        cache_hit: out.cacheHit,
        fusion_used: out.fusionUsed ? FUSION_OUT[out.fusionUsed] : ('FUSION_UNSPECIFIED' as const),
        took_ms: out.tookMs,
        next_page_token: out.nextPageToken,
        personalized: out.personalized,
        notes: out.notes,
        low_confidence: out.lowConfidence,
      };
    },
  }),
  r({
    method: 'POST',
    path: '/v1/documents',
    operationId: 'upsertDocuments',
    summary: 'Store or replace a batch of documents (Search.Upsert)',
    description:
      'POST, not PUT: one body creates or replaces many documents, of any tenants, each with a URL of its own. Re-sending unchanged content embeds nothing (counted unchanged).',
    tags: ['documents'],
    body: upsertRequestSchema,
    response: upsertResponseSchema,
    errors: ['invalid_argument', 'failed_precondition', 'unavailable', 'deadline_exceeded', 'internal'],
    links: {
      getFirstDocument: {
        operationId: 'getDocument',
        description: 'The first document of the batch, as stored.',
        parameters: { tenant_id: '$request.body#/documents/0/tenant_id', id: '$request.body#/documents/0/id' },
      },
      deleteFirstDocument: {
        operationId: 'deleteDocument',
        parameters: { tenant_id: '$request.body#/documents/0/tenant_id', id: '$request.body#/documents/0/id' },
      },
    },
    handle: async ({ body }, { documents }) =>
      documents.upsert(
        (body.documents ?? []).map(
          (d): DocumentInput => ({
            tenantId: d.tenant_id ?? '',
            id: d.id ?? '',
            locale: d.locale ?? '',
            sourceType: d.source_type ?? '',
            title: d.title ?? '',
            content: d.content ?? '',
            metadata: d.metadata ?? {},
          }),
        ),
      ),
  }),
  r({
    method: 'GET',
    path: '/v1/tenants/{tenant_id}/documents/{id}',
    operationId: 'getDocument',
    summary: 'Read one stored document and its state (Search.Get)',
    tags: ['documents'],
    params: documentParams,
    response: getResponseSchema,
    errors: ['invalid_argument', 'not_found', 'unavailable', 'deadline_exceeded', 'internal'],
    handle: async ({ params }, { documents }) => {
      const d = await documents.get(params.tenant_id, params.id);
      return {
        document: {
          document: {
            tenant_id: d.document.tenantId,
            id: d.document.id,
            locale: d.document.locale,
            source_type: d.document.sourceType,
            title: d.document.title,
            content: d.document.content,
            metadata: d.document.metadata,
          },
          created_at: d.createdAt.toISOString(),
          updated_at: d.updatedAt.toISOString(),
          content_sha256: d.contentSha256,
          passage_count: d.passageCount,
          pending_passages: d.pendingPassages,
        },
      };
    },
  }),
  r({
    method: 'DELETE',
    path: '/v1/tenants/{tenant_id}/documents/{id}',
    operationId: 'deleteDocument',
    summary: 'Delete one document (Search.Delete with one id)',
    description: 'Answers 200 with deleted 0 when the tenant has no such document: deleting is idempotent.',
    tags: ['documents'],
    params: documentParams,
    response: deleteResponseSchema,
    errors: ['invalid_argument', 'unavailable', 'deadline_exceeded', 'internal'],
    handle: async ({ params }, { documents }) => ({ deleted: await documents.delete(params.tenant_id, [params.id]) }),
  }),
  r({
    method: 'POST',
    path: '/v1/tenants/{tenant_id}/documents:delete',
    operationId: 'deleteDocuments',
    summary: 'Delete documents of a tenant by id (Search.Delete)',
    tags: ['documents'],
    params: tenantParams,
    body: deleteRequestSchema,
    response: deleteResponseSchema,
    errors: ['invalid_argument', 'unavailable', 'deadline_exceeded', 'internal'],
    handle: async ({ params, body }, { documents }) => ({ deleted: await documents.delete(params.tenant_id, body.ids ?? []) }),
  }),
  r({
    method: 'GET',
    path: '/v1/stats',
    operationId: 'stats',
    summary: 'Documents, passages and the embedding backlog, per tenant (Search.Stats)',
    description: 'Full counts, meant for operators, not for a hot path.',
    tags: ['operations'],
    query: statsQuery,
    response: statsResponseSchema,
    errors: ['invalid_argument', 'unavailable', 'deadline_exceeded', 'internal'],
    handle: async ({ query }, { documents }) => {
      const s = await documents.stats(query.tenant_id ?? '');
      return {
        tenants: s.tenants.map((t) => ({ tenant_id: t.tenantId, documents: t.documents, passages: t.passages, pending_passages: t.pendingPassages })),
        pending_passages: s.pendingPassages,
        fingerprint: s.fingerprint,
        stale_passages: 0,
      };
    },
  }),
];
