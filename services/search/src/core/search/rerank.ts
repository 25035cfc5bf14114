import type { ModelRef } from './ports.js';
import type { SearchQuery } from './query.js';
import type { RankedHit } from './ranked.js';

/** What a reranker may need beyond the query: the model whose vectors to compare in. */
export interface RerankContext {
  /** The query vector's model, or (answered by keyword) the embedder's last known model. */
  model: ModelRef | undefined;
}

/**
 * Stage 4: reorder the ranked candidates (for example by a user's taste).
 * A reranker sees the whole candidate list, never a page, and returns the
 * same hits in a new order with new scores; its note says what it did.
 */
export interface Reranker {
  readonly name: string;
  /** Whether this request asks for it (a reordering widens retrieval to the rerank window). */
  applies(query: SearchQuery): boolean;
  rerank(query: SearchQuery, ranked: RankedHit[], context: RerankContext): Promise<{ ranked: RankedHit[]; note?: string }>;
}

export async function rerankAll(
  query: SearchQuery,
  ranked: RankedHit[],
  rerankers: readonly Reranker[],
  context: RerankContext,
): Promise<{ ranked: RankedHit[]; notes: string[] }> {
  const notes: string[] = [];
  let current = ranked;
  for (const r of rerankers) {
    if (!r.applies(query)) continue;
    const out = await r.rerank(query, current, context);
    current = out.ranked;
    if (out.note) notes.push(out.note);
  }
  return { ranked: current, notes };
}
