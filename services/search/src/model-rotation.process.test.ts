import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixtureModel } from '../../../scripts/model-fixture/generate.js';
import { searchClient, SearchMode } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import { waitFor, type ServiceProcess } from '../../../test/support/service-process.js';

/**
 * Rotating the model: a new embedder (same width, other weights) comes up
 * behind the same address. Search must notice the new fingerprint, compare
 * queries only with passages of the new model, and re-embed the old ones.
 */
let otherModel: string;
let embedder: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let client: ReturnType<typeof searchClient>;

beforeAll(async () => {
  otherModel = mkdtempSync(join(tmpdir(), 'polysearch-model-b-'));
  await generateFixtureModel({ out: otherModel, size: 'tiny', seed: 7 });
  embedder = await startEmbedderProcess();
  search = await startSearchProcess(embedder.listening.grpcPort as number);
  client = searchClient(search.grpcPort);
});

afterAll(async () => {
  client?.close();
  await search?.stop();
  await embedder?.stop();
  rmSync(otherModel, { recursive: true, force: true });
});

describe('model rotation', () => {
  it('re-embeds every passage of the old model and serves semantic search with the new one', async () => {
    await client.upsert([
      { tenantId: 'acme', id: 'pw', locale: 'en', title: 'Reset your password', content: 'Open the account settings and choose reset password.' },
      { tenantId: 'acme', id: 'inv', locale: 'de', title: 'Rechnung', content: 'Die Rechnung kommt jeden Monat per E-Mail.' },
    ]);
    const before = await client.stats('acme');
    expect(before).toMatchObject({ pendingPassages: 0, stalePassages: 0 });

    const port = embedder.listening.grpcPort as number;
    await embedder.stop();
    embedder = await startEmbedderProcess(port, { MODEL_DIR: otherModel });

    const after = await waitFor(async () => {
      const s = await client.stats('acme');
      return s.fingerprint !== before.fingerprint && s.stalePassages === 0 && s.pendingPassages === 0 ? s : undefined;
    });
    expect(after.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const res = await client.search({ tenantId: 'acme', query: 'reset password settings', mode: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(res).toMatchObject({ degraded: false, modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });
    expect(res.hits[0].id).toBe('pw');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const inFlight = client.search({ tenantId: 'acme', query: 'Rechnung', mode: SearchMode.SEARCH_MODE_KEYWORD }).then(
      () => 'answered',
      (err: { code: number }) => err.code,
    );
    const code = await search.proc.stop('SIGTERM');
    expect(code).toBe(0);
    // Answered if it arrived before the signal, refused cleanly (UNAVAILABLE) if after; never INTERNAL or a hang.
    expect(['answered', 14]).toContain(await inFlight);
  });
});
