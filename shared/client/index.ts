/**
 * The typed TypeScript client for internal callers of polysearch (see the
 * README's "Client" section):
 *
 *   const search = new PolysearchSearchClient({ address: 'localhost:50052' });
 *   const res = await search.search({ tenantId: 'acme', query: 'invoice' }, { deadlineMs: 2_000 });
 *
 * Every call has a deadline (retries included) and is retried with
 * exponential backoff and full jitter on UNAVAILABLE and RESOURCE_EXHAUSTED
 * only, honouring a server's `retry-after-ms` trailer.
 */
export { PolysearchSearchClient, type DocumentInput, type SearchInput } from './search-client.js';
export { PolysearchEmbedderClient, type Role } from './embedder-client.js';
export { DEFAULT_DEADLINE_MS, type CallOptions, type ClientOptions } from './channel.js';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryable, isServiceError, retryAfterMs, type RetryPolicy } from './retry.js';
export { SearchMode, Fusion, InteractionKind } from '../generated/polysearch/search/v1/search.js';
export type { Document, Hit, SearchResponse, StatsResponse, UpsertResponse, GetResponse, DeleteResponse } from '../generated/polysearch/search/v1/search.js';
export { InputType } from '../generated/polysearch/embedder/v1/embedder.js';
export type { EmbedResponse, InfoResponse, ModelFingerprint } from '../generated/polysearch/embedder/v1/embedder.js';
export { status } from '@grpc/grpc-js';
