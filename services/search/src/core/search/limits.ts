/**
 * Every limit and default of a search request, in one place. The request is
 * parsed against these once (query.ts); nothing below the core checks them
 * again.
 */
export const SEARCH_LIMITS = Object.freeze({
  /** Hits per page when the request says 0. */
  defaultLimit: 10,
  /** Hits per page at most: a bigger page is a bulk export, which paging serves. */
  maxLimit: 100,
  /**
   * Ranked hits a query can reach through paging. Every stage (fusion, the
   * relevance cut, reranking) works on one ranked list of at most this many
   * documents, so paging is a slice of the same list at any depth.
   */
  maxDepth: 1000,
  /** hnsw.ef_search a request may ask for (0 = the server default). */
  minEfSearch: 1,
  maxEfSearch: 1000,
  /**
   * Characters of query text used. A query is not a document: e5 reads at most
   * 512 tokens, and keyword matching on more only costs time. Longer text is
   * cut at a space, not refused, so a pasted paragraph still searches.
   */
  maxQueryChars: 4096,
  /**
   * How much a user's taste moves the ranking when a request names a user
   * but no weight: halfway between plain relevance (0) and taste alone (1).
   */
  defaultPersonalizationWeight: 0.5,
  /**
   * How hybrid search fuses its two lists when the request does not say:
   * weighted min-max fusion leaning on the semantic side. Chosen on the
   * relevance suite (README, "How search behaves"): with keyword search that
   * finds something, RRF let the keyword list's near misses displace right
   * semantic answers (nDCG@10 0.708 at k 60, 0.789 at best, against 0.856
   * for semantic alone); weighted at 0.9 (0.854; 0.95: 0.856) keeps the
   * semantic order and lets a keyword match decide between close semantic
   * candidates.
   */
  defaultFusion: 'weighted' as const,
  defaultSemanticWeight: 0.9,
  /** Metadata pairs in a filter, and source types. */
  maxMetadataFilters: 32,
  maxSourceTypes: 64,
});
