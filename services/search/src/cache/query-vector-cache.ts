import type { QueryVectorCache as QueryVectorCachePort } from '../core/search/ports.js';
import { LRUCache } from 'lru-cache';

export interface QueryVectorCacheOptions {
  max: number;
  ttlMs: number;
  onLookup?: (hit: boolean) => void;
}

/**
 * Query vectors by (model fingerprint, role, cleaned text). The fingerprint
 * in the key means a model change can never serve a stale vector; the cache
 * also lets a repeated query stay semantic while the embedder is down.
 */
export class QueryVectorCache implements QueryVectorCachePort {
  private readonly lru: LRUCache<string, number[]>;

  constructor(private readonly options: QueryVectorCacheOptions) {
    this.lru = new LRUCache<string, number[]>({ max: options.max, ttl: options.ttlMs });
  }

  get(fingerprintDigest: string, text: string): number[] | undefined {
    const value = this.lru.get(key(fingerprintDigest, text));
    this.options.onLookup?.(value !== undefined);
    return value;
  }

  set(fingerprintDigest: string, text: string, vector: number[]): void {
    this.lru.set(key(fingerprintDigest, text), vector);
  }

  get size(): number {
    return this.lru.size;
  }
}

/** The text arrives cleaned once by the request parser (core/search/query.ts), so the key is exact. */
function key(digest: string, text: string): string {
  return `${digest}\u0000query\u0000${text}`;
}
