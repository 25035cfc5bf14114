import type { Candidate } from './ports.js';

/**
 * A document on its way through the stages after retrieval: the candidate to
 * show, the score it is ordered by, and the evidence behind that score.
 */
export interface RankedHit {
  candidate: Candidate;
  /** What the list is ordered by (cosine, keyword rank, fused or reranked score). */
  score: number;
  /** Cosine similarity of the best passage; undefined when the semantic retriever did not return it. */
  semanticScore: number | undefined;
  /** Keyword rank of the best passage; undefined when the keyword retriever did not return it. */
  keywordScore: number | undefined;
  /** Similarity to the user's taste, set by a personalizing reranker. */
  personalScore?: number;
}
