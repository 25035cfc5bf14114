/**
 * Helpers for the store tests (not used by production code): a store on a
 * fresh schema of the test database, a seeded PRNG and vector builders.
 */
import { createTestDb, type TestDb } from '../../../../../test/support/db.js';
import { chunkDocument } from '../../passages/chunker.js';
import type { ModelRef } from '../../core/search/ports.js';
import { parseFilters, type SearchFilters } from '../../core/search/query.js';
import type { DocumentInput } from '../document-input.js';
import { SearchStore } from '../search-store.js';
import type { StoreConfig } from '../store-context.js';

export interface TestStore {
  store: SearchStore;
  testDb: TestDb;
  cleanup(): Promise<void>;
}

export async function openTestStore(config: Omit<StoreConfig, 'schema'> = {}): Promise<TestStore> {
  const testDb = await createTestDb();
  try {
    const store = await SearchStore.open(testDb.db, { ...config, schema: testDb.schema });
    return { store, testDb, cleanup: () => testDb.cleanup() };
  } catch (err) {
    await testDb.cleanup();
    throw err;
  }
}

export { mulberry32 as prng } from '../../../../../test/support/random.js';

export function randomVector(rng: () => number, dims: number): number[] {
  const v = Array.from({ length: dims }, () => rng() * 2 - 1);
  return normalize(v);
}

export function normalize(v: readonly number[]): number[] {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

/** A deterministic stand-in for the embedder: a bag-of-words hash vector of the text. */
export function hashEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dims] += 1;
  }
  if (!v.some((x) => x !== 0)) v[0] = 1;
  return normalize(v);
}

/** One hash-embedding per passage of the document, as the service would produce with the embedder. */
export function embedDocument(doc: DocumentInput, dims: number): number[][] {
  return chunkDocument({ title: doc.title ?? '', content: doc.content ?? '' }).passages.map((p) => hashEmbedding(p.embeddingText, dims));
}

/** Filters as the core's request parser produces them. */
export function filtersOf(f: { locale?: string; sourceTypes?: string[]; metadata?: Record<string, string> } = {}): SearchFilters {
  return parseFilters(f.locale, { sourceTypes: f.sourceTypes, metadata: f.metadata });
}

/** A model reference for store tests: only the digest matters to the store. */
export function testModel(digest: string, dimensions: number): ModelRef {
  return { digest, profile: 'e5', dimensions, fixture: true };
}
