import { describe, expect, it } from 'vitest';
import { loadSearchConfig } from './config.js';

describe('search config', () => {
  it('defaults to the embedded database and one local embedder', () => {
    const c = loadSearchConfig({});
    expect(c.database.url).toBeUndefined();
    expect(c.embedder.addresses).toEqual(['localhost:50051']);
    expect(c).toMatchObject({ grpc: { port: 50052 }, http: { port: 8082 }, vectors: { dimensions: 384 } });
  });

  it('splits several embedder addresses', () => {
    expect(loadSearchConfig({ EMBEDDER_ADDRESSES: 'a:1, b:2,' }).embedder.addresses).toEqual(['a:1', 'b:2']);
  });

  it.each([
    [{ SEARCH_DB_SCHEMA: 'Robert"); DROP' }, /SEARCH_DB_SCHEMA/],
    [{ EMBEDDING_DIMENSIONS: '-3' }, /EMBEDDING_DIMENSIONS/],
    [{ SEARCH_MIN_SCORE: '2' }, /SEARCH_MIN_SCORE/],
    [{ SEARCH_TLS_CERT: '/c.pem', SEARCH_TLS_KEY: '/k.pem' }, /SEARCH_TLS_CA/],
    [{ PASSAGE_MAX_WORDS: '20', PASSAGE_OVERLAP_WORDS: '20' }, /PASSAGE_OVERLAP_WORDS/],
  ])('stops start-up naming the variable for %j', (env, message) => {
    expect(() => loadSearchConfig(env)).toThrow(message);
  });
});
