import type { ModelRef } from '../search/ports.js';
import type { SearchQuery } from '../search/query.js';
import type { RankedHit } from '../search/ranked.js';
import type { Reranker, RerankContext } from '../search/rerank.js';
import type { TasteReader } from './ports.js';
import { dot } from './taste.js';

/**
 * The first reranker: mixes each candidate's relevance with its similarity
 * to the user's taste, both min-max normalized over the candidate list:
 *
 *   final = (1 − w) · relevance' + w · cosine(taste, document)'
 *
 * w is the request's personalization weight. w = 0 keeps the plain order
 * (min-max is monotonic; ties keep their order), w = 1 orders by taste alone.
 * A user without a taste vector (no history, or none in this model) gets the
 * plain ranking, and the note says so.
 */
export class PersonalizeReranker implements Reranker {
  readonly name = 'personalize';

  constructor(private readonly tastes: TasteReader) {}

  applies(query: SearchQuery): boolean {
    return query.personalization !== undefined;
  }

  async rerank(query: SearchQuery, ranked: RankedHit[], context: RerankContext): Promise<{ ranked: RankedHit[]; note?: string }> {
    const p = query.personalization;
    if (!p || ranked.length === 0) return { ranked };
    const model: ModelRef | undefined = context.model;
    if (!model) return { ranked, note: 'not personalized: no model is known yet to compare tastes in' };
    const taste = await this.tastes.taste(query.tenantId, p.userId, model);
    if (!taste) return { ranked, note: 'not personalized: the user has no history yet; plain ranking' };
    const vectors = await this.tastes.documentVectors(query.tenantId, ranked.map((h) => h.candidate.id), model);
    const personal = ranked.map((h) => {
      const v = vectors.get(h.candidate.id);
      return v ? dot(taste, v) : undefined;
    });
    const rel = minMax(ranked.map((h) => h.score));
    const known = personal.filter((x): x is number => x !== undefined);
    const pers = minMax(known);
    const w = p.weight;
    const scored = ranked.map((h, i) => {
      const cos = personal[i];
      const final = (1 - w) * rel(h.score) + w * (cos === undefined ? 0 : pers(cos));
      return { hit: { ...h, score: final, personalScore: cos }, i };
    });
    // Stable: equal finals keep the plain order.
    scored.sort((a, b) => b.hit.score - a.hit.score || a.i - b.i);
    return { ranked: scored.map((s) => s.hit), note: `personalized for the user (weight ${w})` };
  }
}

function minMax(values: readonly number[]): (x: number) => number {
  if (values.length === 0) return () => 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return span > 0 ? (x) => (x - min) / span : () => 1;
}
