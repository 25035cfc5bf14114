import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../../../test/support/embedder-client.js';
import { searchClient, SearchMode } from '../../../test/support/search-client.js';
import { startEmbedderProcess, startSearchProcess } from '../../../test/support/search-stack.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';

/**
 * Hostile input against a real search process (issue 7): whatever a caller
 * sends as ids or page tokens, the answer is INVALID_ARGUMENT with a message
 * that says what to change — never INTERNAL, never a row nobody can reach.
 */
let embedder: ServiceProcess;
let search: Awaited<ReturnType<typeof startSearchProcess>>;
let client: ReturnType<typeof searchClient>;

beforeAll(async () => {
  embedder = await startEmbedderProcess();
  search = await startSearchProcess(embedder.listening.grpcPort as number);
  client = searchClient(search.grpcPort);
  await client.upsert([{ tenantId: 'acme', id: 'pw', locale: 'en', title: 'Reset your password', content: 'Open the account settings and choose reset password.' }]);
});

afterAll(async () => {
  client?.close();
  await search?.stop();
  await embedder?.stop();
});

const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('a blank tenant', () => {
  // One definition of a valid tenant, the same for every RPC: a row Upsert
  // accepts can always be read and deleted again.
  it.each(['   ', '\t', ' acme', 'ac\nme'])('%j → INVALID_ARGUMENT on Upsert, Get, Delete, Search and Stats', async (tenantId) => {
    const calls: [string, Promise<unknown>][] = [
      ['Upsert', client.upsert([{ tenantId, id: 'x', title: 'Hello', content: 'World' }])],
      ['Get', client.get(tenantId, 'pw')],
      ['Delete', client.delete(tenantId, ['pw'])],
      ['Search', client.search({ tenantId, query: 'password' })],
      ['Stats', client.stats(tenantId)],
    ];
    for (const [rpc, call] of calls) {
      const err = await statusOf(call);
      expect({ rpc, code: err.code }).toEqual({ rpc, code: status.INVALID_ARGUMENT });
      expect(err.details).toMatch(/tenant_id/);
    }
    // Nothing was stored for it, and the real tenant is untouched.
    expect((await client.stats()).tenants.map((t) => t.tenantId)).toEqual(['acme']);
  });

  it('a blank document id → INVALID_ARGUMENT on Upsert, Get and Delete', async () => {
    for (const call of [
      client.upsert([{ tenantId: 'acme', id: '  ', title: 'Hello', content: 'World' }]),
      client.get('acme', '  '),
      client.delete('acme', ['pw', '  ']),
    ]) {
      const err = await statusOf(call);
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toMatch(/id/);
    }
    expect((await client.get('acme', 'pw')).document?.document?.id).toBe('pw');
  });
});

describe('page tokens are untrusted data', () => {
  it.each([
    ['null', b64('null')],
    ['[]', b64('[]')],
    ['"x"', b64('"x"')],
    ['10 KB of garbage', 'A'.repeat(10 * 1024)],
    ['10 KB of random bytes', Buffer.from(Array.from({ length: 10 * 1024 }, (_, i) => (i * 7919) % 256)).toString('base64')],
  ])('%s → INVALID_ARGUMENT in every mode', async (_name, pageToken) => {
    for (const mode of [SearchMode.SEARCH_MODE_HYBRID, SearchMode.SEARCH_MODE_SEMANTIC, SearchMode.SEARCH_MODE_KEYWORD]) {
      const err = await statusOf(client.search({ tenantId: 'acme', query: 'password', mode, pageToken }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toMatch(/page_token/);
    }
  });

  it('a token of another request → INVALID_ARGUMENT', async () => {
    await client.upsert([{ tenantId: 'acme', id: 'pw2', locale: 'en', title: 'Password rules', content: 'A password needs twelve characters.' }]);
    const first = await client.search({ tenantId: 'acme', query: 'password', limit: 1, mode: SearchMode.SEARCH_MODE_KEYWORD });
    expect(first.nextPageToken).not.toBe('');
    for (const other of [
      { tenantId: 'acme', query: 'reset', limit: 1, mode: SearchMode.SEARCH_MODE_KEYWORD },
      { tenantId: 'acme', query: 'password', limit: 2, mode: SearchMode.SEARCH_MODE_KEYWORD },
      { tenantId: 'globex', query: 'password', limit: 1, mode: SearchMode.SEARCH_MODE_KEYWORD },
    ]) {
      const err = await statusOf(client.search({ ...other, pageToken: first.nextPageToken }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
    }
  });
});
