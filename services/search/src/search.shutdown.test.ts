import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { searchClient, type DocumentPartial } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';

/**
 * SIGTERM during an Upsert (issue 7): the Upsert in flight is committed — as
 * pending when embedding cannot finish within the grace period — and never
 * cancelled halfway. The embedder is SIGSTOPped so embedding hangs; a fresh
 * search process on the same database (a PGlite data directory, or the same
 * schema on real Postgres) reads every document back.
 */
const GRACE_MS = 2_000;

let embedder: ServiceProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await embedder?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SIGTERM during a 100-document Upsert', () => {
  it('commits every document of it (pending), answers the call, and exits cleanly', async () => {
    embedder = await startEmbedderProcess();
    const embedderPort = embedder.listening.grpcPort as number;
    dataDir = process.env.TEST_DATABASE_URL ? undefined : await mkdtemp(join(tmpdir(), 'polysearch-shutdown-'));
    const env = {
      SEARCH_DB_SCHEMA: `t_${randomBytes(6).toString('hex')}`,
      ...(dataDir ? { PGLITE_DATA_DIR: dataDir } : {}),
      SEARCH_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      // Embedding would not end on its own within the grace period.
      EMBEDDER_PASSAGE_TIMEOUT_MS: '60000',
    };
    const first = await startSearchProcess(embedderPort, env, { keepSchema: true });
    const client = searchClient(first.grpcPort);
    const docs: DocumentPartial[] = Array.from({ length: 100 }, (_, i) => ({
      tenantId: 'shutdown',
      id: `doc-${i}`,
      locale: 'en',
      title: `Document ${i}`,
      content: `Paragraph ${i} of the handbook. `.repeat(20),
    }));
    let outcome: unknown;
    try {
      embedder.proc.kill('SIGSTOP');
      const upsert = client.upsert(docs).then(
        (res) => ({ ok: res }),
        (err: { code: number; details: string }) => ({ error: { code: err.code, details: err.details } }),
      );
      await new Promise((r) => setTimeout(r, 500)); // the Upsert is waiting on the embedder
      const stopped = Date.now();
      const exitCode = first.proc.stop('SIGTERM');
      outcome = await upsert;
      expect(await exitCode).toBe(0);
      console.info('search stopped', { afterMs: Date.now() - stopped });
    } finally {
      client.close();
      embedder.proc.kill('SIGCONT');
    }

    const second = await startSearchProcess(embedderPort, env);
    const reader = searchClient(second.grpcPort);
    try {
      const stats = await reader.stats('shutdown');
      expect(stats.tenants[0]).toMatchObject({ tenantId: 'shutdown', documents: 100 });
      for (const doc of docs) expect((await reader.get('shutdown', doc.id)).document?.document?.content).toBe(doc.content);
      // And the caller was told so: OK, every document stored pending (the embedder never answered).
      expect(outcome).toEqual({ ok: { inserted: 100, updated: 0, unchanged: 0, pending: 100 } });
    } finally {
      reader.close();
      await second.stop();
    }
  }, 120_000);
});
