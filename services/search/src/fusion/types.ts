/** A hit of one side (semantic or keyword), in rank order: the first element is rank 1. */
export interface RankedHit {
  id: string;
  score: number;
}

export interface FusedHit<T extends RankedHit> {
  id: string;
  /** The fused score hits are ordered by. */
  score: number;
  /** Raw cosine similarity from the semantic list (0 when absent there). */
  semanticScore: number;
  /** Raw keyword rank from the keyword list (0 when absent there). */
  keywordScore: number;
  /** 1-based rank in each list, null when absent. */
  semanticRank: number | null;
  keywordRank: number | null;
  /**
   * The hit to show (title, snippet, …): from the list where the document
   * ranks better, the semantic one on a tie — its snippet is the passage
   * that matched best on that side.
   */
  hit: T;
}

interface Entry<T extends RankedHit> {
  semantic?: { hit: T; rank: number };
  keyword?: { hit: T; rank: number };
}

/** Joins both lists by document id; a repeated id keeps its first (best) position. */
export function joinById<T extends RankedHit>(semantic: readonly T[], keyword: readonly T[]): Map<string, Entry<T>> {
  const byId = new Map<string, Entry<T>>();
  const add = (list: readonly T[], side: 'semantic' | 'keyword') => {
    list.forEach((hit, i) => {
      let entry = byId.get(hit.id);
      if (!entry) byId.set(hit.id, (entry = {}));
      if (!entry[side]) entry[side] = { hit, rank: i + 1 };
    });
  };
  add(semantic, 'semantic');
  add(keyword, 'keyword');
  return byId;
}

export function toFused<T extends RankedHit>(id: string, entry: Entry<T>, score: number): FusedHit<T> {
  const s = entry.semantic;
  const k = entry.keyword;
  const hit = s && (!k || s.rank <= k.rank) ? s.hit : (k ?? s)!.hit;
  return {
    id,
    score,
    semanticScore: s?.hit.score ?? 0,
    keywordScore: k?.hit.score ?? 0,
    semanticRank: s?.rank ?? null,
    keywordRank: k?.rank ?? null,
    hit,
  };
}

/** Fused score descending; ties: the better best rank, then id, so the order is deterministic. */
export function compareFused<T extends RankedHit>(a: FusedHit<T>, b: FusedHit<T>): number {
  if (b.score !== a.score) return b.score - a.score;
  const bestA = Math.min(a.semanticRank ?? Infinity, a.keywordRank ?? Infinity);
  const bestB = Math.min(b.semanticRank ?? Infinity, b.keywordRank ?? Infinity);
  if (bestA !== bestB) return bestA - bestB;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
