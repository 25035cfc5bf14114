import { tokenize } from './tokenize.js';

/**
 * Okapi BM25 over whole documents (title + content), written for the
 * benchmark as the peer of the product's keyword search:
 *
 *   score(q, d) = Σ_{t ∈ q, distinct} idf(t) · tf(t,d)·(k1 + 1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
 *   idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
 *
 * Each document is tokenized in its own language, each query in its own
 * (tokenize.ts). Every document sharing a term with the query is a hit: BM25
 * has no relevance cut.
 */
export interface Bm25Document {
  id: string;
  lang: string;
  title: string;
  content: string;
}

export interface Bm25Options {
  k1?: number;
  b?: number;
}

export interface ScoredId {
  id: string;
  score: number;
}

export class Bm25Index {
  private readonly k1: number;
  private readonly b: number;
  private readonly ids: string[] = [];
  private readonly lengths: number[] = [];
  /** term → (document index → term frequency) */
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly avgdl: number;

  constructor(docs: readonly Bm25Document[], options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    docs.forEach((doc, n) => {
      const tokens = tokenize(`${doc.title}\n${doc.content}`, doc.lang);
      this.ids.push(doc.id);
      this.lengths.push(tokens.length);
      for (const t of tokens) {
        let list = this.postings.get(t);
        if (!list) this.postings.set(t, (list = new Map()));
        list.set(n, (list.get(n) ?? 0) + 1);
      }
    });
    this.avgdl = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, this.lengths.length);
  }

  idf(term: string): number {
    const n = this.ids.length;
    const df = this.postings.get(term)?.size ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Documents with a positive score, best first (ties by id, so the order is stable). */
  search(query: string, lang: string, limit = 10): ScoredId[] {
    const scores = new Map<number, number>();
    for (const term of new Set(tokenize(query, lang))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (const [n, tf] of list) {
        const norm = this.k1 * (1 - this.b + (this.b * this.lengths[n]) / this.avgdl);
        scores.set(n, (scores.get(n) ?? 0) + (idf * tf * (this.k1 + 1)) / (tf + norm));
      }
    }
    return [...scores]
      .map(([n, score]) => ({ id: this.ids[n], score }))
      .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .slice(0, limit);
  }
}
