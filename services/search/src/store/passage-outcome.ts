import { cleanText } from './text-input.js';
import type { VectorLike } from './vector-codec.js';

/**
 * A passage the embedder refused (INVALID_ARGUMENT: too large, empty, …). It
 * is set aside with the embedder's reason — which names sizes and limits,
 * never text — instead of making its whole batch pending or being retried
 * forever; it stays keyword-searchable and is retried when its content changes.
 */
export interface RefusedPassage {
  refused: string;
}

/** What embedding one passage gave: its vector, or the embedder's refusal. */
export type PassageOutcome = VectorLike | RefusedPassage;

export function isRefused(outcome: PassageOutcome): outcome is RefusedPassage {
  return !Array.isArray(outcome) && !ArrayBuffer.isView(outcome) && typeof (outcome as RefusedPassage).refused === 'string';
}

/** Stored reasons are capped: they are shown in Get and Stats, not a log. */
export const MAX_REFUSAL_CHARS = 300;

export function refusalReason(outcome: RefusedPassage): string {
  const reason = cleanText(outcome.refused).trim() || 'refused by the embedder';
  return reason.length > MAX_REFUSAL_CHARS ? `${reason.slice(0, MAX_REFUSAL_CHARS - 1)}…` : reason;
}
