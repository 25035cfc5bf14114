import { z } from 'zod';
import { Fusion, SearchMode } from '../../../../shared/generated/polysearch/search/v1/search.js';

/**
 * The JSON shapes of the search HTTP API: proto/polysearch/search/v1/search.proto
 * in protobuf's JSON mapping with the proto's own field names (snake_case,
 * what protojson reads and writes with UseProtoNames) and enums by their proto
 * names. Bodies are therefore spelt as for `grpcurl -d` (less a tenant_id the
 * path carries), and the core's messages ("min_score must be …") name the
 * field as it was sent.
 * Deviations from protojson: 64-bit counts are JSON numbers (they stay far
 * below 2^53), and null is not accepted for "unset" (leave the field out).
 *
 * Request schemas check types and known fields only; like proto3, every field
 * may be left out and defaults to its zero value. Which values are valid is
 * decided by the core, once, for gRPC and HTTP alike (core/search/query.ts,
 * core/document-core.ts, store/document-input.ts).
 *
 * Response schemas are strict (no other fields): the document promises
 * exactly these, and tests and schemathesis catch a field leaking out of the
 * core that the contract does not name.
 *
 * Schemas registered here are named components of the OpenAPI document.
 */
export const requestSchemas = z.registry<{ id: string }>();
export const responseSchemas = z.registry<{ id: string }>();

/** proto uint32: what a gRPC caller can express; the core decides what is sensible. */
const uint32 = () => z.int().min(0).max(4_294_967_295);
const count = () => z.int().min(0);
const stringMap = () => z.record(z.string(), z.string());

/** Proto enum names the API accepts, each mapped where the handlers need it (search-routes.ts). */
type ProtoEnumName<E> = Exclude<keyof E, 'UNRECOGNIZED'>;
export type SearchModeName = ProtoEnumName<typeof SearchMode>;
export type FusionName = ProtoEnumName<typeof Fusion>;
const enumNames = <E extends Record<string, string | number>>(e: E) =>
  Object.keys(e).filter((k) => Number.isNaN(Number(k)) && k !== 'UNRECOGNIZED') as [ProtoEnumName<E> & string, ...(ProtoEnumName<E> & string)[]];
const searchMode = () => z.enum(enumNames(SearchMode));
const fusion = () => z.enum(enumNames(Fusion));

// ---- requests

export const documentSchema = z
  .strictObject({
    tenant_id: z.string().optional().describe('Required: the tenant the document belongs to (at most 512 characters).'),
    id: z.string().optional().describe('Required: the document id, unique within the tenant (at most 512 characters).'),
    locale: z
      .string()
      .optional()
      .describe('BCP-47 tag such as "en", "de-CH", "fr"; selects the full-text configuration ("simple" for languages PostgreSQL has no stemmer for).'),
    source_type: z.string().optional(),
    title: z.string().optional().describe('A document needs a title or content.'),
    content: z.string().optional().describe('Split into passages that fit the model; each is embedded with the title in front.'),
    metadata: stringMap().optional().describe('Stored and filterable; changing only metadata re-embeds nothing.'),
  })
  .describe('A document to store (proto Document).');
requestSchemas.add(documentSchema, { id: 'Document' });

export const upsertRequestSchema = z
  .strictObject({
    documents: z.array(documentSchema).optional().describe('1 to UPSERT_MAX_DOCUMENTS (100) documents, of any tenants.'),
  })
  .meta({
    description:
      'Store or replace documents. If the embedder is unavailable they are stored at once (keyword-searchable), counted pending and embedded later.',
    examples: [
      { documents: [{ tenant_id: 'demo', id: '1', locale: 'de', title: 'Rechnung', content: 'Die Rechnung kommt per E-Mail.', metadata: { team: 'billing' } }] },
    ],
  });
requestSchemas.add(upsertRequestSchema, { id: 'UpsertRequest' });

export const filtersSchema = z
  .strictObject({
    source_types: z.array(z.string()).optional().describe('Match any of these source types (empty: all).'),
    metadata: stringMap().optional().describe("Every pair must match the document's metadata exactly."),
  })
  .describe('Search filters (proto Filters).');
requestSchemas.add(filtersSchema, { id: 'Filters' });

export const searchRequestSchema = z
  .strictObject({
    query: z.string().optional().describe('Required: the text to search for.'),
    locale: z.string().optional().describe('Restrict to documents of this locale (empty: all locales); also selects the full-text configuration.'),
    mode: searchMode().optional().describe('SEARCH_MODE_HYBRID (the default; UNSPECIFIED means it), SEARCH_MODE_SEMANTIC or SEARCH_MODE_KEYWORD.'),
    limit: uint32().optional().describe('Hits per page: 1..100, 10 when 0 or left out.'),
    page_token: z.string().optional().describe('next_page_token of a previous response to the same request.'),
    min_score: z.number().optional().describe('Drop hits scoring below this (-1..1). Left out: the model-aware default for semantic scores.'),
    filters: filtersSchema.optional(),
    ef_search: uint32().optional().describe('HNSW candidate list size for this query, 1..1000 (0: the server default).'),
    fusion: fusion().optional().describe('FUSION_RRF or FUSION_WEIGHTED; UNSPECIFIED or left out: the server default (weighted, see README).'),
    semantic_weight: z.number().optional().describe('Weight of the semantic side for FUSION_WEIGHTED, 0..1 (left out: the server default).'),
    user_id: z.string().optional().describe("Personalize for this user: candidates are reranked by the user's taste (left out: no personalization)."),
    personalization_weight: z.number().optional().describe('0 keeps the plain ranking, 1 orders the candidates by taste alone (left out: 0.5). Needs user_id.'),
  })
  .meta({
    description: 'proto SearchRequest without tenant_id, which the path carries.',
    examples: [{ query: 'Rechnung per E-Mail', mode: 'SEARCH_MODE_HYBRID', limit: 5, filters: { metadata: { team: 'billing' } } }],
  });
requestSchemas.add(searchRequestSchema, { id: 'SearchRequest' });

export const deleteRequestSchema = z
  .strictObject({ ids: z.array(z.string()).optional().describe('Required: the ids of the documents to delete.') })
  .meta({ description: 'proto DeleteRequest without tenant_id, which the path carries.', examples: [{ ids: ['1', '2'] }] });
requestSchemas.add(deleteRequestSchema, { id: 'DeleteRequest' });

const tenantParam = () => z.string().meta({ description: 'The tenant; every call is scoped by it.', examples: ['demo'] });
export const tenantParams = z.strictObject({ tenant_id: tenantParam() });
export const documentParams = z.strictObject({
  tenant_id: tenantParam(),
  id: z.string().meta({ description: 'The document id (percent-encode "/" and other reserved characters).', examples: ['1'] }),
});
export const statsQuery = z.strictObject({ tenant_id: z.string().optional().describe('Count this tenant only (left out or empty: every tenant).') });

// ---- responses

export const upsertResponseSchema = z
  .strictObject({
    inserted: count(),
    updated: count(),
    unchanged: count().describe('Same content and same model fingerprint: nothing was embedded again.'),
    pending: count().describe('Stored but not yet embedded (embedder unavailable); a background backfill embeds them, and they are keyword-searchable meanwhile.'),
  })
  .describe('Counts of an Upsert (proto UpsertResponse).');
responseSchemas.add(upsertResponseSchema, { id: 'UpsertResponse' });

export const deleteResponseSchema = z.strictObject({ deleted: count().describe('Documents that existed and were deleted.') }).describe('proto DeleteResponse.');
responseSchemas.add(deleteResponseSchema, { id: 'DeleteResponse' });

export const storedDocumentSchema = z
  .strictObject({
    document: z.strictObject({
      tenant_id: z.string(),
      id: z.string(),
      locale: z.string(),
      source_type: z.string(),
      title: z.string(),
      content: z.string(),
      metadata: stringMap(),
    }),
    created_at: z.string().meta({ format: 'date-time' }),
    updated_at: z.string().meta({ format: 'date-time' }),
    content_sha256: z.string(),
    passage_count: count(),
    pending_passages: count().describe('Passages not embedded yet.'),
  })
  .describe('A stored document and its state (proto StoredDocument).');
responseSchemas.add(storedDocumentSchema, { id: 'StoredDocument' });

export const getResponseSchema = z.strictObject({ document: storedDocumentSchema }).describe('proto GetResponse.');
responseSchemas.add(getResponseSchema, { id: 'GetResponse' });

export const hitSchema = z
  .strictObject({
    id: z.string(),
    title: z.string(),
    snippet: z.string().describe('The best-matching passage of the document.'),
    score: z.number().describe('The score the hits are ordered by (fused in hybrid mode).'),
    semantic_score: z.number().describe('Cosine similarity of the best passage (0 when not matched semantically).'),
    keyword_score: z.number().describe('Keyword rank of the best passage (0 when not matched by keyword).'),
    metadata: stringMap(),
    locale: z.string(),
    source_type: z.string(),
    passage_index: count(),
    personal_score: z.number().optional().describe("Cosine similarity to the user's taste (present when personalized)."),
  })
  .describe('One document found (proto Hit).');
responseSchemas.add(hitSchema, { id: 'Hit' });

export const searchResponseSchema = z
  .strictObject({
    hits: z.array(hitSchema),
    mode_used: searchMode(),
    degraded: z.boolean().describe('The answer is not what was asked for (e.g. keyword results because the embedder is unavailable); degraded_reason says why.'),
    degraded_reason: z.string(),
    cache_hit: z.boolean().describe('The query vector came from the cache (no embedder call).'),
    fusion_used: fusion().describe('FUSION_UNSPECIFIED when nothing was fused (semantic or keyword mode).'),
    took_ms: z.number(),
    next_page_token: z.string().describe('Empty on the last page.'),
    personalized: z.boolean().describe("The ranking used the user's taste."),
    notes: z.array(z.string()).describe('What the reranking stages did, e.g. that the user has no history yet.'),
    low_confidence: z.boolean().describe('No hit stands out (see README "Relevance threshold"): present them as closest matches, not as the answer.'),
  })
  .describe('proto SearchResponse.');
responseSchemas.add(searchResponseSchema, { id: 'SearchResponse' });

export const tenantStatsSchema = z
  .strictObject({ tenant_id: z.string(), documents: count(), passages: count(), pending_passages: count() })
  .describe('Counts of one tenant (proto TenantStats).');
responseSchemas.add(tenantStatsSchema, { id: 'TenantStats' });

export const statsResponseSchema = z
  .strictObject({
    tenants: z.array(tenantStatsSchema),
    pending_passages: count(),
    fingerprint: z.string().describe('Digest of the model whose vectors new passages get (empty while the embedder has not been reached).'),
    stale_passages: count().describe('Passages whose vector came from another model; the backfill re-embeds them.'),
  })
  .describe('proto StatsResponse.');
responseSchemas.add(statsResponseSchema, { id: 'StatsResponse' });
