/**
 * Ranking metrics of the relevance suite. A ranking is a list of document ids,
 * best first (duplicates count once, at their first position); judgments map a
 * document id to a grade (2 answers the query, 1 partly answers or helps,
 * absent = not relevant). Unanswerable queries have no judgments: ranking
 * metrics are undefined for them and callers leave them out of averages.
 */
export type Judgments = Readonly<Record<string, number>>;

/** First occurrence of each id, order kept: a system that returns a document twice gains nothing from it. */
function distinct(ranking: readonly string[]): string[] {
  return [...new Set(ranking)];
}

function relevantIds(judgments: Judgments): string[] {
  return Object.keys(judgments).filter((id) => judgments[id] > 0);
}

/** Exponential gain (2^grade − 1): a full answer counts three times a partial one. */
const gain = (grade: number) => 2 ** grade - 1;
const discount = (rank: number) => Math.log2(rank + 1);

/**
 * nDCG@k with exponential gains: DCG of the ranking's top k over the DCG of the
 * ideal ordering of every judged document. undefined when nothing is relevant.
 */
export function ndcgAt(ranking: readonly string[], judgments: Judgments, k = 10): number | undefined {
  const ideal = relevantIds(judgments)
    .map((id) => judgments[id])
    .sort((a, b) => b - a)
    .slice(0, k);
  if (ideal.length === 0) return undefined;
  const idcg = ideal.reduce((sum, grade, i) => sum + gain(grade) / discount(i + 1), 0);
  const dcg = distinct(ranking)
    .slice(0, k)
    .reduce((sum, id, i) => sum + gain(judgments[id] ?? 0) / discount(i + 1), 0);
  return dcg / idcg;
}

/** Share of the relevant documents (grade ≥ 1) found in the top k. undefined when nothing is relevant. */
export function recallAt(ranking: readonly string[], judgments: Judgments, k = 10): number | undefined {
  const relevant = relevantIds(judgments);
  if (relevant.length === 0) return undefined;
  const top = new Set(distinct(ranking).slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** Reciprocal rank of the first relevant document within the top k (0 if none). undefined when nothing is relevant. */
export function reciprocalRankAt(ranking: readonly string[], judgments: Judgments, k = 10): number | undefined {
  if (relevantIds(judgments).length === 0) return undefined;
  const at = distinct(ranking)
    .slice(0, k)
    .findIndex((id) => (judgments[id] ?? 0) > 0);
  return at < 0 ? 0 : 1 / (at + 1);
}

/** Mean of the defined values; undefined when there are none. */
export function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** One query's outcome for one system: what it returned and how that was judged. */
export interface QueryOutcome {
  ranking: readonly string[];
  judgments: Judgments;
  /** The system said its answer is low-confidence (its hits are "closest matches", not an answer). */
  lowConfidence?: boolean;
}

/** The figures the suite reports for a group of queries (one language, one system). */
export interface Summary {
  /** Queries with at least one relevant document. */
  answerable: number;
  /** Queries judged to have no answer in the corpus. */
  unanswerable: number;
  ndcg10?: number;
  recall10?: number;
  mrr10?: number;
  /** Share of answerable queries that got no hit at all. */
  zeroHit?: number;
  /** Share of unanswerable queries that got any hit. */
  unanswerableWithHit?: number;
  /** Share of unanswerable queries that got a hit without being marked low-confidence (a confident wrong answer). */
  unanswerableConfident?: number;
  /**
   * Precision of the first hit: over every query (answerable or not) answered with a confident
   * first hit, the share whose first hit is relevant. Undefined when no query got one.
   */
  firstHitPrecision?: number;
  /** Share of answerable queries whose hits came marked low-confidence (hidden, if a client hides those). */
  answerableLowConfidence?: number;
}

/** A first hit shown as an answer: there is one, and it is not marked low-confidence. */
const confident = (o: QueryOutcome) => o.ranking.length > 0 && o.lowConfidence !== true;

export function summarize(outcomes: readonly QueryOutcome[], k = 10): Summary {
  const answerable = outcomes.filter((o) => relevantIds(o.judgments).length > 0);
  const unanswerable = outcomes.filter((o) => relevantIds(o.judgments).length === 0);
  const share = (list: readonly QueryOutcome[], pick: (o: QueryOutcome) => boolean) =>
    list.length === 0 ? undefined : list.filter(pick).length / list.length;
  return {
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    ndcg10: mean(answerable.map((o) => ndcgAt(o.ranking, o.judgments, k))),
    recall10: mean(answerable.map((o) => recallAt(o.ranking, o.judgments, k))),
    mrr10: mean(answerable.map((o) => reciprocalRankAt(o.ranking, o.judgments, k))),
    zeroHit: share(answerable, (o) => o.ranking.length === 0),
    unanswerableWithHit: share(unanswerable, (o) => o.ranking.length > 0),
    unanswerableConfident: share(unanswerable, confident),
    firstHitPrecision: share(outcomes.filter(confident), (o) => (o.judgments[o.ranking[0]] ?? 0) > 0),
    answerableLowConfidence: share(answerable, (o) => o.ranking.length > 0 && o.lowConfidence === true),
  };
}
