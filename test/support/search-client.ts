import * as grpc from '@grpc/grpc-js';
import {
  DeleteRequest,
  GetRequest,
  SearchClient,
  SearchMode,
  SearchRequest,
  StatsRequest,
  UpsertRequest,
  type DeleteResponse,
  type Document,
  type GetResponse,
  type SearchResponse,
  type StatsResponse,
  type UpsertResponse,
} from '../../shared/generated/polysearch/search/v1/search.js';

export { SearchMode };
export type DocumentPartial = Partial<Document> & { tenantId: string; id: string };

type Method = 'upsert' | 'delete' | 'get' | 'search' | 'stats';

/** Promise wrapper over the generated Search client; requests may omit fields. */
export function searchClient(port: number) {
  const client = new SearchClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <Res>(method: Method, request: unknown, deadlineMs = 30_000) =>
    new Promise<Res>((resolve, reject) =>
      (client[method] as unknown as (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Res) => void) => void).call(
        client,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
  return {
    upsert: (documents: DocumentPartial[]) => call<UpsertResponse>('upsert', UpsertRequest.fromPartial({ documents })),
    delete: (tenantId: string, ids: string[]) => call<DeleteResponse>('delete', DeleteRequest.fromPartial({ tenantId, ids })),
    get: (tenantId: string, id: string) => call<GetResponse>('get', GetRequest.fromPartial({ tenantId, id })),
    search: (request: Partial<SearchRequest>, deadlineMs?: number) => call<SearchResponse>('search', SearchRequest.fromPartial(request), deadlineMs),
    stats: (tenantId = '') => call<StatsResponse>('stats', StatsRequest.fromPartial({ tenantId })),
    close: () => client.close(),
  };
}

/** The value of one Prometheus sample from a /metrics page (0 when absent). */
export async function metricValue(httpPort: number, sample: string): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  for (const line of body.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}
