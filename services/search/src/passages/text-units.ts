/**
 * Splits text into budget units without a tokenizer (the search service has
 * none). A unit is a whitespace-separated word, a piece of an over-long word,
 * or a single character of a script written without spaces (CJK, Thai…).
 * Each unit carries a cost in "word units" and its UTF-16 offsets, so a
 * passage is always an exact slice of the original text.
 */
export interface TextUnit {
  start: number;
  end: number;
  cost: number;
}

/** Scripts written without spaces between words: each character is its own unit. */
const DENSE_CHAR =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/** A word costs one unit per this many characters (rounded up): long words, URLs and numbers are several tokens. */
export const CHARS_PER_WORD_UNIT = 12;
/** Runs without spaces longer than this are cut into pieces, so one "word" (a base64 blob) cannot exceed a passage. */
export const MAX_PIECE_CHARS = 48;

export function segmentText(text: string, denseCharCost: number): TextUnit[] {
  const units: TextUnit[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const word = match[0];
    const base = match.index ?? 0;
    let runStart = -1;
    let runChars = 0;
    const flushRun = (end: number) => {
      if (runStart >= 0) {
        units.push({ start: base + runStart, end: base + end, cost: Math.max(1, Math.ceil(runChars / CHARS_PER_WORD_UNIT)) });
      }
      runStart = -1;
      runChars = 0;
    };
    let offset = 0;
    for (const ch of word) {
      if (DENSE_CHAR.test(ch)) {
        flushRun(offset);
        units.push({ start: base + offset, end: base + offset + ch.length, cost: denseCharCost });
      } else {
        if (runStart < 0) runStart = offset;
        runChars++;
        if (runChars >= MAX_PIECE_CHARS) flushRun(offset + ch.length);
      }
      offset += ch.length;
    }
    flushRun(offset);
  }
  return units;
}

/** Total cost of a text. */
export function textCost(text: string, denseCharCost: number): number {
  return segmentText(text, denseCharCost).reduce((sum, u) => sum + u.cost, 0);
}
