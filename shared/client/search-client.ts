import {
  DeleteRequest,
  ForgetUserRequest,
  GetRequest,
  RecommendRequest,
  RecordInteractionsRequest,
  SimilarUsersRequest,
  SearchClient as GeneratedSearchClient,
  SearchRequest,
  StatsRequest,
  UpsertRequest,
  type DeleteResponse,
  type Document,
  type ForgetUserResponse,
  type GetResponse,
  type Interaction,
  type RecommendResponse,
  type RecordInteractionsResponse,
  type SimilarUsersResponse,
  type SearchResponse,
  type StatsResponse,
  type UpsertResponse,
} from '../generated/polysearch/search/v1/search.js';
import { resolveChannel, type CallOptions, type Channel, type ClientOptions } from './channel.js';
import { unary, type UnaryMethod } from './unary.js';

/** A document to upsert: tenant and id are required, every other field defaults to empty. */
export type DocumentInput = Partial<Document> & { tenantId: string; id: string };
/** A search request: tenant and query are required; mode defaults to hybrid, limit to 10. */
export type SearchInput = Partial<SearchRequest> & { tenantId: string; query: string };

/**
 * Typed client of polysearch.search.v1.Search. Responses are the generated
 * messages (see proto/polysearch/search/v1/search.proto); failures reject
 * with the grpc-js ServiceError (`code`, `details`, `metadata`).
 */
export class PolysearchSearchClient {
  private readonly channel: Channel;
  private readonly client: GeneratedSearchClient;

  constructor(options: ClientOptions) {
    this.channel = resolveChannel(options);
    this.client = new GeneratedSearchClient(this.channel.address, this.channel.credentials, this.channel.channelOptions);
  }

  private call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options?: CallOptions): Promise<Res> {
    return unary(this.channel, method.bind(this.client) as UnaryMethod<Req, Res>, request, options);
  }

  search(request: SearchInput, options?: CallOptions): Promise<SearchResponse> {
    return this.call(this.client.search, SearchRequest.fromPartial(request), options);
  }

  upsert(documents: DocumentInput[], options?: CallOptions): Promise<UpsertResponse> {
    return this.call(this.client.upsert, UpsertRequest.fromPartial({ documents }), options);
  }

  /** Rejects with NOT_FOUND when the tenant has no such document. */
  get(tenantId: string, id: string, options?: CallOptions): Promise<GetResponse> {
    return this.call(this.client.get, GetRequest.fromPartial({ tenantId, id }), options);
  }

  delete(tenantId: string, ids: string[], options?: CallOptions): Promise<DeleteResponse> {
    return this.call(this.client.delete, DeleteRequest.fromPartial({ tenantId, ids }), options);
  }

  /** One tenant's counts, or every tenant's when tenantId is empty. */
  stats(tenantId = '', options?: CallOptions): Promise<StatsResponse> {
    return this.call(this.client.stats, StatsRequest.fromPartial({ tenantId }), options);
  }

  /** A user's signals on documents (ratings, likes, dislikes, clicks); their taste follows in the same transaction. */
  recordInteractions(tenantId: string, userId: string, interactions: Partial<Interaction>[], options?: CallOptions): Promise<RecordInteractionsResponse> {
    return this.call(this.client.recordInteractions, RecordInteractionsRequest.fromPartial({ tenantId, userId, interactions }), options);
  }

  /** Documents near the user's taste that the user has no signal on yet. */
  recommend(request: Partial<RecommendRequest> & { tenantId: string; userId: string }, options?: CallOptions): Promise<RecommendResponse> {
    return this.call(this.client.recommend, RecommendRequest.fromPartial(request), options);
  }

  similarUsers(tenantId: string, userId: string, limit = 10, options?: CallOptions): Promise<SimilarUsersResponse> {
    return this.call(this.client.similarUsers, SimilarUsersRequest.fromPartial({ tenantId, userId, limit }), options);
  }

  /** Removes every signal and taste vector of the user. */
  forgetUser(tenantId: string, userId: string, options?: CallOptions): Promise<ForgetUserResponse> {
    return this.call(this.client.forgetUser, ForgetUserRequest.fromPartial({ tenantId, userId }), options);
  }

  close(): void {
    this.client.close();
  }
}
