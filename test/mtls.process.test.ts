import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolysearchEmbedderClient } from '../shared/client/index.js';
import { InputType } from '../shared/generated/polysearch/embedder/v1/embedder.js';
import type { ClientTlsFiles } from '../shared/grpc/tls.js';
import { writeTestPki, type TestPki } from './support/certs.js';
import { embedderClient, statusOf } from './support/embedder-client.js';
import { searchClient, SearchMode } from './support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from './support/search-stack.js';
import { waitFor, type ServiceProcess } from './support/service-process.js';

/**
 * mTLS between search and embedder, as operators run it: a real embedder
 * process requiring client certificates (EMBEDDER_TLS_CLIENT_CA), a real
 * search process presenting one (SEARCH_TLS_CERT/KEY), and the clients the
 * embedder must refuse. The server certificate names 127.0.0.1, the address
 * startSearchProcess dials, so no EMBEDDER_TLS_SERVER_NAME is needed.
 */
type SearchStack = Awaited<ReturnType<typeof startSearchProcess>>;

let pki: TestPki;
let embedder: ServiceProcess;
let embedderPort: number;
const searches: SearchStack[] = [];

const doc = {
  tenantId: 'acme',
  id: 'pw',
  locale: 'en',
  title: 'Reset your password',
  content: 'To reset your password open the account settings and choose reset password. You get an email with a link.',
};

/** One Info call on the embedder, through the typed client with these TLS files, one attempt. */
async function info(tls: ClientTlsFiles): Promise<unknown> {
  const client = new PolysearchEmbedderClient({ address: `127.0.0.1:${embedderPort}`, tls, });
  try {
    return await client.info({ deadlineMs: 10_000, retry: false });
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  pki = writeTestPki('polysearch-mtls-');
  embedder = await startEmbedderProcess(0, {
    EMBEDDER_TLS_CERT: pki.serverCert,
    EMBEDDER_TLS_KEY: pki.serverKey,
    EMBEDDER_TLS_CLIENT_CA: pki.ca,
  });
  embedderPort = embedder.listening.grpcPort as number;
  // "listening" comes before the model has loaded; wait for it, so a refusal below is the handshake's, not "not ready yet".
  await waitFor(async () => embedder.logs.some((line) => line.includes('"msg":"embedder ready"')), 60_000);
});

afterAll(async () => {
  await Promise.all(searches.map((s) => s.stop()));
  await embedder?.stop();
  pki?.cleanup();
});

describe('an mTLS embedder', () => {
  it('says it serves mTLS', () => {
    expect(embedder.listening).toMatchObject({ tls: true, mtls: true });
  });

  it('serves a client presenting a certificate from its client CA', async () => {
    await expect(info({ caPath: pki.ca, certPath: pki.clientCert, keyPath: pki.clientKey })).resolves.toMatchObject({ model: { dimensions: 64 } });
  });

  it('refuses a plain-text client (UNAVAILABLE)', async () => {
    const plain = embedderClient(embedderPort);
    try {
      const err = await statusOf(plain.embed({ texts: ['hello'], inputType: InputType.INPUT_TYPE_QUERY }, 10_000));
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      plain.close();
    }
  });

  it('refuses a TLS client that trusts its CA but presents no certificate (UNAVAILABLE)', async () => {
    const err = await statusOf(info({ caPath: pki.ca }));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('search in front of an mTLS embedder', () => {
  it('with a client certificate: writes are embedded at once and semantic search is not degraded', async () => {
    const search = await startSearchProcess(embedderPort, {
      SEARCH_TLS_CA: pki.ca,
      SEARCH_TLS_CERT: pki.clientCert,
      SEARCH_TLS_KEY: pki.clientKey,
      // Generous: the first query may still pay for a handshake on a busy two-core machine.
      EMBEDDER_QUERY_TIMEOUT_MS: '5000',
    });
    searches.push(search);
    const client = searchClient(search.grpcPort);
    try {
      expect(await client.upsert([doc])).toEqual({ inserted: 1, updated: 0, unchanged: 0, pending: 0 });
      const res = await client.search({ tenantId: 'acme', query: 'reset password', mode: SearchMode.SEARCH_MODE_SEMANTIC });
      expect(res).toMatchObject({ degraded: false, degradedReason: '', modeUsed: SearchMode.SEARCH_MODE_SEMANTIC });
      expect(res.hits[0].id).toBe('pw');
      expect(res.hits[0].semanticScore).toBeGreaterThan(0);
      expect((await client.stats('acme')).pendingPassages).toBe(0);
    } finally {
      client.close();
    }
  });

  it('without a client certificate: answers degraded by keyword and keeps writes pending, never an error', async () => {
    const search = await startSearchProcess(embedderPort, { SEARCH_TLS_CA: pki.ca });
    searches.push(search);
    const client = searchClient(search.grpcPort);
    try {
      expect(await client.upsert([doc])).toEqual({ inserted: 1, updated: 0, unchanged: 0, pending: 1 });
      for (const query of ['reset password', 'password reset link', 'reset the password']) {
        const res = await client.search({ tenantId: 'acme', query, mode: SearchMode.SEARCH_MODE_SEMANTIC });
        expect(res).toMatchObject({ degraded: true, modeUsed: SearchMode.SEARCH_MODE_KEYWORD });
        expect(res.degradedReason).toMatch(/embedder_unavailable|circuit_open|no_model_yet/);
        expect(res.hits[0].id).toBe('pw');
      }
      // Several backfill rounds (BACKFILL_INTERVAL_MS=200) later, still nothing has been embedded.
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await client.stats('acme')).pendingPassages).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });
});
