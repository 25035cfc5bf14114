import type { SearchFilters } from './query.js';

/**
 * What the search core needs from the outside world, as small interfaces it
 * owns. The Postgres store and the gRPC embedder client implement them; the
 * stages are unit-tested with fakes.
 */

/** One document found by a retriever, with its best passage. */
export interface Candidate {
  id: string;
  /** The retriever's own score: cosine similarity (semantic) or a 0..1 keyword rank. */
  score: number;
  /** The best-matching passage: its index and text (the snippet). */
  passageIndex: number;
  snippet: string;
  title: string;
  locale: string;
  sourceType: string;
  metadata: Record<string, string>;
}

/** The model a vector came from: vectors of different digests are not comparable. */
export interface ModelRef {
  digest: string;
  /** Prefix profile ('e5', 'e5-instruct'): relevance defaults depend on it. */
  profile: string;
  dimensions: number;
  /** A generated fixture model: its scores carry no meaning, so no relevance floor applies. */
  fixture: boolean;
}

export interface SemanticRetrieval {
  tenantId: string;
  vector: readonly number[];
  /** Only passages embedded by this model are compared. */
  model: ModelRef;
  filters: SearchFilters;
  /** Documents wanted, best first. */
  depth: number;
  /** hnsw.ef_search; undefined = the index's default. */
  efSearch: number | undefined;
}

export interface KeywordRetrieval {
  tenantId: string;
  text: string;
  filters: SearchFilters;
  depth: number;
}

/** Retrieval: each call returns up to `depth` documents, best first, one entry per document. */
export interface SearchIndex {
  semantic(request: SemanticRetrieval): Promise<Candidate[]>;
  keyword(request: KeywordRetrieval): Promise<Candidate[]>;
}

/**
 * Query embeddings. embedQuery fails with a PolysearchError of kind
 * 'unavailable' when the embedder cannot answer now (down, slow, overloaded,
 * circuit open): the core then answers by keyword.
 */
export interface QueryEmbedder {
  /** The model the embedder served last, if known (for cache lookups while it is down). */
  readonly currentModel: ModelRef | undefined;
  embedQuery(text: string): Promise<{ vector: number[]; model: ModelRef }>;
}

/** Query vectors by model and cleaned text. */
export interface QueryVectorCache {
  get(modelDigest: string, text: string): number[] | undefined;
  set(modelDigest: string, text: string, vector: number[]): void;
}
