/**
 * Exact (brute-force) cosine ranking: the ceiling for semantic search with the
 * same model and the same passages. A document scores as its best passage,
 * as in the search service.
 */
export interface PassageVector {
  docId: string;
  vector: readonly number[];
}

export interface ScoredDoc {
  id: string;
  score: number;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Every document, best first (ties by id). */
export function exactRanking(query: readonly number[], passages: readonly PassageVector[]): ScoredDoc[] {
  const best = new Map<string, number>();
  for (const p of passages) {
    const s = cosine(query, p.vector);
    if (s > (best.get(p.docId) ?? -Infinity)) best.set(p.docId, s);
  }
  return [...best]
    .map(([id, score]) => ({ id, score }))
    .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
