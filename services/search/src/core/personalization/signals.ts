import { invalidArgument } from '../../../../../shared/errors.js';

/**
 * What a user told us about a document, and how much it pulls their taste.
 *
 *   rating r (1..5)   value (r − 3) / 2   → 5: +1, 4: +0.5, 3: 0 (neutral, ignored), 2: −0.5, 1: −1
 *   like              +1
 *   dislike           −1
 *   click             +0.25 per click, at most +1 (four clicks): a click is weak, implicit evidence
 *
 * Each signal is multiplied by its weight (default 1, at most MAX_WEIGHT).
 * Ratings, likes and dislikes are states: a new one of the same kind on the
 * same document replaces the old. Clicks accumulate. A document's preference
 * is the sum of its kinds' weighted values (so "liked and rated 1" nets to 0).
 */
export type SignalKind = 'rating' | 'like' | 'dislike' | 'click';

export interface SignalInput {
  documentId: string;
  kind: SignalKind;
  /** 1..5, only for ratings. */
  rating?: number;
  /** 0 < weight ≤ MAX_WEIGHT; default 1. */
  weight?: number;
  /** Epoch ms; default now. */
  at?: number;
}

/** A stored signal: its value already on the taste scale. */
export interface StoredSignal {
  documentId: string;
  kind: SignalKind;
  /** Signal value before weighting (rating mapped, clicks counted). */
  value: number;
  weight: number;
  at: number;
}

export const MAX_WEIGHT = 100;
export const CLICK_VALUE = 0.25;
export const MAX_CLICK_VALUE = 1;
export const MAX_SIGNALS_PER_CALL = 1000;

export function ratingValue(rating: number): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
    throw invalidArgument(`rating must be an integer from 1 to 5 (got ${rating})`, 'bad_rating');
  }
  return (rating - 3) / 2;
}

/** Validates one signal and gives its value on the taste scale (a click's value is per click). */
export function parseSignal(input: SignalInput, index: number, now: number): StoredSignal {
  const where = `interactions[${index}]`;
  const weight = input.weight ?? 1;
  if (!(weight > 0 && weight <= MAX_WEIGHT)) throw invalidArgument(`${where}.weight must be > 0 and at most ${MAX_WEIGHT}`, 'bad_weight');
  const at = input.at ?? now;
  if (!Number.isFinite(at) || at <= 0) throw invalidArgument(`${where}.at must be a valid timestamp`, 'bad_timestamp');
  let value: number;
  switch (input.kind) {
    case 'rating':
      if (input.rating === undefined) throw invalidArgument(`${where} is a rating without a rating value (1..5)`, 'bad_rating');
      value = ratingValue(input.rating);
      break;
    case 'like':
      value = 1;
      break;
    case 'dislike':
      value = -1;
      break;
    case 'click':
      value = CLICK_VALUE;
      break;
    default:
      throw invalidArgument(`${where}.kind must be rating, like, dislike or click`, 'bad_kind');
  }
  if (input.kind !== 'rating' && input.rating !== undefined && input.rating !== 0) {
    throw invalidArgument(`${where}: only a rating carries a rating value`, 'bad_rating');
  }
  return { documentId: input.documentId, kind: input.kind, value, weight, at };
}

/**
 * Merges a new signal into what was stored for the same (document, kind):
 * states replace, clicks add up to the cap (a click's weight scales its own value).
 */
export function mergeSignal(previous: StoredSignal | undefined, next: StoredSignal): StoredSignal {
  if (next.kind !== 'click' || !previous) return next;
  const value = Math.min(MAX_CLICK_VALUE, previous.value * previous.weight + next.value * next.weight);
  return { ...next, value, weight: 1, at: Math.max(previous.at, next.at) };
}

/** Each document's preference: Σ over its signals of value × weight. Neutral (0) documents are left out. */
export function preferences(signals: readonly StoredSignal[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of signals) out.set(s.documentId, (out.get(s.documentId) ?? 0) + s.value * s.weight);
  for (const [doc, p] of out) if (p === 0) out.delete(doc);
  return out;
}
