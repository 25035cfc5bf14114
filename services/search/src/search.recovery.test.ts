import { afterAll, describe, expect, it } from 'vitest';
import { searchClient, SearchMode } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import { waitFor, type ServiceProcess } from '../../../test/support/service-process.js';

/**
 * Recovery after a long embedder outage (issue 7): grpc-js backs reconnects
 * off towards 120 s and the breaker used to probe only on traffic, so after a
 * 90 s outage semantic search came back 29 s after the embedder was ready.
 * Here the embedder is gone for 60 s, and nothing but search's own timer may
 * probe it: the backfill is slowed to once in 10 minutes and no search is
 * sent until the circuit has closed by itself.
 */
const OUTAGE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let embedder: ServiceProcess | undefined;
let search: Awaited<ReturnType<typeof startSearchProcess>> | undefined;
afterAll(async () => {
  await search?.stop();
  await embedder?.stop();
});

describe('after a 60 s embedder outage', () => {
  it('semantic search is back within 10 s of the embedder being ready, without traffic to trigger a probe', async () => {
    embedder = await startEmbedderProcess();
    const port = embedder.listening.grpcPort as number;
    search = await startSearchProcess(port, { BACKFILL_INTERVAL_MS: '600000', BREAKER_HALF_OPEN_MS: '5000' });
    const client = searchClient(search.grpcPort);
    try {
      await client.upsert([{ tenantId: 'r', id: 'shop', locale: 'es', title: 'Horario', content: 'La tienda abre a las nueve de la mañana y cierra a las ocho.' }]);
      expect((await client.search({ tenantId: 'r', query: 'horario de la tienda', mode: SearchMode.SEARCH_MODE_SEMANTIC })).degraded).toBe(false);

      embedder.proc.kill('SIGKILL');
      await embedder.exited;
      // Searches during the outage degrade and open the circuit.
      for (const query of ['cuando abre la tienda', 'a que hora cierra', 'tienda por la mañana', 'horario de apertura']) {
        expect((await client.search({ tenantId: 'r', query })).degraded).toBe(true);
      }
      await sleep(OUTAGE_MS);

      const logsBefore = search.proc.logs.length;
      embedder = await startEmbedderProcess(port);
      await waitFor(async () => embedder!.logs.some((l) => l.includes('"msg":"embedder ready"')), 60_000, 20);
      const readyAt = Date.now();
      // No search, no backfill: the circuit must close on search's own probe.
      await waitFor(async () => search!.proc.logs.slice(logsBefore).some((l) => l.includes('embedder circuit closed')), 15_000, 50);
      const closedAfterMs = Date.now() - readyAt;
      const res = await client.search({ tenantId: 'r', query: 'la tienda cierra a las ocho', mode: SearchMode.SEARCH_MODE_SEMANTIC });
      const semanticAfterMs = Date.now() - readyAt;
      console.info('recovery after a 60 s outage', { closedAfterMs, semanticAfterMs });
      expect(res).toMatchObject({ degraded: false, modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });
      expect(res.hits[0].id).toBe('shop');
      expect(semanticAfterMs).toBeLessThan(10_000);
    } finally {
      client.close();
    }
  }, 150_000);
});
