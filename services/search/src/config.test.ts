import { describe, expect, it } from 'vitest';
import { loadSearchConfig } from './config.js';

describe('search config', () => {
  it('defaults to the embedded database and one local embedder', () => {
    const c = loadSearchConfig({});
    expect(c.database.url).toBeUndefined();
    expect(c.embedder.addresses).toEqual(['localhost:50051']);
    expect(c).toMatchObject({ grpc: { port: 50052 }, http: { port: 8082 }, rotation: { autoCutover: true, pollMs: 2000 } });
    // No vector width to configure: it comes from each model's fingerprint; no rotation unless a next embedder is named.
    expect(c.embedder.nextAddresses).toEqual([]);
    expect(c.vectors).not.toHaveProperty('dimensions');
  });

  it('serves the HTTP API on its own port, plain unless given a certificate, with one request limit for both transports', () => {
    const c = loadSearchConfig({});
    expect(c.api).toEqual({ host: '0.0.0.0', port: 8083, tls: undefined });
    expect(c.limits.maxRequestBytes).toBe(64 * 1024 * 1024);
    const tls = loadSearchConfig({ SEARCH_API_TLS_CERT: '/c.pem', SEARCH_API_TLS_KEY: '/k.pem', SEARCH_API_TLS_CLIENT_CA: '/ca.pem', SEARCH_MAX_REQUEST_BYTES: '1024' });
    expect(tls.api.tls).toEqual({ certPath: '/c.pem', keyPath: '/k.pem', clientCaPath: '/ca.pem' });
    expect(tls.limits.maxRequestBytes).toBe(1024);
  });

  it('splits several embedder addresses', () => {
    expect(loadSearchConfig({ EMBEDDER_ADDRESSES: 'a:1, b:2,' }).embedder.addresses).toEqual(['a:1', 'b:2']);
  });

  it('reads replicas only beside a primary', () => {
    const c = loadSearchConfig({ DATABASE_URL: 'postgres://p/db', DATABASE_READ_URLS: 'postgres://r1/db, postgresql://r2/db,' });
    expect(c.database.readUrls).toEqual(['postgres://r1/db', 'postgresql://r2/db']);
    expect(c.database.replicas).toEqual({ maxLagMs: 2000, checkIntervalMs: 250, retryAfterMs: 5000 });
    expect(loadSearchConfig({}).database.readUrls).toEqual([]);
  });

  it.each([
    [{ DATABASE_READ_URLS: 'postgres://r1/db' }, /DATABASE_READ_URLS needs DATABASE_URL/],
    [{ DATABASE_URL: 'postgres://p/db', DATABASE_READ_URLS: 'r1:5432' }, /DATABASE_READ_URLS/],
    [{ DATABASE_URL: 'postgres://p/db', REPLICA_MAX_LAG_MS: '0' }, /REPLICA_MAX_LAG_MS/],
    [{ SEARCH_DB_SCHEMA: 'Robert"); DROP' }, /SEARCH_DB_SCHEMA/],
    [{ SERVING_POLL_MS: '-3' }, /SERVING_POLL_MS/],
    [{ ROTATION_AUTO_CUTOVER: 'maybe' }, /ROTATION_AUTO_CUTOVER/],
    [{ SEARCH_MIN_SCORE: '2' }, /SEARCH_MIN_SCORE/],
    [{ SEARCH_TLS_CERT: '/c.pem', SEARCH_TLS_KEY: '/k.pem' }, /SEARCH_TLS_CA/],
    [{ PASSAGE_MAX_WORDS: '20', PASSAGE_OVERLAP_WORDS: '20' }, /PASSAGE_OVERLAP_WORDS/],
    [{ SEARCH_API_TLS_CERT: '/c.pem' }, /SEARCH_API_TLS_CERT and SEARCH_API_TLS_KEY/],
    [{ SEARCH_API_TLS_CLIENT_CA: '/ca.pem' }, /SEARCH_API_TLS_CLIENT_CA needs/],
    [{ SEARCH_API_PORT: '70000' }, /SEARCH_API_PORT/],
    [{ SEARCH_MAX_REQUEST_BYTES: String(1024 * 1024 * 1024) }, /SEARCH_MAX_REQUEST_BYTES/],
  ])('stops start-up naming the variable for %j', (env, message) => {
    expect(() => loadSearchConfig(env)).toThrow(message);
  });
});
