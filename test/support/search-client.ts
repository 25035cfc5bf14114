import { PolysearchSearchClient, type DocumentInput } from '../../shared/client/index.js';
import { SearchMode, type SearchRequest } from '../../shared/generated/polysearch/search/v1/search.js';

export { SearchMode };
export type DocumentPartial = DocumentInput;

/**
 * The typed client (shared/client) as tests use it: one attempt per call, so a
 * test sees exactly the status the server sent, and a 30 s default deadline.
 */
export function searchClient(port: number) {
  const client = new PolysearchSearchClient({ address: `127.0.0.1:${port}`, defaultDeadlineMs: 30_000, retry: { maxAttempts: 1 } });
  return {
    upsert: (documents: DocumentPartial[]) => client.upsert(documents),
    delete: (tenantId: string, ids: string[]) => client.delete(tenantId, ids),
    get: (tenantId: string, id: string) => client.get(tenantId, id),
    // Tests send incomplete requests on purpose; the server must answer them.
    search: (request: Partial<SearchRequest>, deadlineMs?: number) => client.search({ tenantId: '', query: '', ...request }, { deadlineMs }),
    stats: (tenantId = '') => client.stats(tenantId),
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
