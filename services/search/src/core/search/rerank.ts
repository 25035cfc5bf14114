import type { SearchQuery } from './query.js';
import type { RankedHit } from './ranked.js';

/**
 * Stage 4: reorder the ranked candidates (for example by a user's taste).
 * A reranker sees the whole candidate list, never a page, and returns the
 * same hits in a new order with new scores; notes say what it did.
 */
export interface Reranker {
  readonly name: string;
  rerank(query: SearchQuery, ranked: RankedHit[]): Promise<{ ranked: RankedHit[]; note?: string }>;
}

export async function rerankAll(query: SearchQuery, ranked: RankedHit[], rerankers: readonly Reranker[]): Promise<{ ranked: RankedHit[]; notes: string[] }> {
  const notes: string[] = [];
  let current = ranked;
  for (const r of rerankers) {
    const out = await r.rerank(query, current);
    current = out.ranked;
    if (out.note) notes.push(out.note);
  }
  return { ranked: current, notes };
}
