import { invalidArgument } from '../../../../shared/errors.js';
import { segmentText, type TextUnit } from './text-units.js';

/**
 * Passages for e5, which sees at most 512 tokens including the "passage: "
 * prefix and special tokens, without a tokenizer in the search service.
 *
 * Budget: a passage (title included) holds at most `wordsPerPassage` word
 * units (see text-units.ts: a word is one unit, a long word one unit per 12
 * characters, a CJK/Thai character wordsPerPassage/charsPerPassage of a
 * unit). With the defaults, 180 units stay under ~450 XLM-R tokens even for
 * agglutinative languages (~2.5 tokens per word) and 350 CJK characters stay
 * under ~1 token per character, leaving room for the prefix.
 *
 * Title: prefixed to EVERY passage's embedding text ("title\npassage"), capped
 * at `maxTitleWords`, and its cost is taken out of each passage's budget. Deep
 * passages often never name their subject ("It supports up to 8 drives…");
 * the title restores that context for the embedding, which helps recall more
 * than the ~15% of budget it costs. The stored passage `content` (the snippet)
 * is the chunk alone, and its offsets point into the document content. The
 * keyword index likewise gets the title (weight A) in every passage.
 *
 * Bytes: words alone do not bound a passage — whitespace is free in word
 * units, so "alpha" + 40,000 spaces + "beta" was one 40 KB passage that the
 * embedder refuses (EMBEDDER_MAX_INPUT_BYTES). Every passage is therefore also
 * bounded in UTF-8 bytes: the title is cut to a quarter of `maxPassageBytes`,
 * and the chunk (the raw slice, whitespace included) to what is left after
 * the title and its newline. The embedding text collapses whitespace runs to
 * one space (the tokenizer drops them anyway), so it is never longer than the
 * raw slice: title + "\n" + chunk stays within `maxPassageBytes`.
 */
export interface ChunkerOptions {
  /** Word units per passage, title included (default 180). */
  wordsPerPassage?: number;
  /** Word units repeated from the end of one passage at the start of the next (default 30). */
  overlapWords?: number;
  /** Characters per passage for scripts without spaces (CJK, Thai…; default 350). */
  charsPerPassage?: number;
  /** Title word units prefixed to each passage (default 32, at most half a passage); longer titles are cut. */
  maxTitleWords?: number;
  /**
   * UTF-8 bytes of a passage's embedding text, title included (default 8192,
   * at least 1024). Must stay under the embedder's EMBEDDER_MAX_INPUT_BYTES
   * (32768 by default). The title gets at most a quarter of it.
   */
  maxPassageBytes?: number;
}

export interface Passage {
  index: number;
  /** The chunk: an exact slice content.slice(charStart, charEnd). */
  content: string;
  /** UTF-16 offsets into the document content. */
  charStart: number;
  charEnd: number;
  /** What the embedder gets (it adds the "passage: " prefix itself): title + "\n" + content, whitespace collapsed. */
  embeddingText: string;
}

export interface ChunkedDocument {
  passages: Passage[];
  /** The (possibly cut) title used in every passage's embedding text. */
  embeddingTitle: string;
}

export const DEFAULT_CHUNKER_OPTIONS: Readonly<Required<ChunkerOptions>> = Object.freeze({
  wordsPerPassage: 180,
  overlapWords: 30,
  charsPerPassage: 350,
  maxTitleWords: 32,
  maxPassageBytes: 8192,
});

/** Below this the title quarter and the largest unit (48 characters of 4 bytes) could not both fit. */
export const MIN_PASSAGE_BYTES = 1024;

export function resolveChunkerOptions(options: ChunkerOptions = {}): Required<ChunkerOptions> {
  const o = { ...DEFAULT_CHUNKER_OPTIONS, ...stripUndefined(options) };
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw invalidArgument(`chunker ${name} must be an integer >= ${min}`, 'invalid_chunker_config');
  };
  int('wordsPerPassage', o.wordsPerPassage, 8);
  int('overlapWords', o.overlapWords, 0);
  int('charsPerPassage', o.charsPerPassage, 8);
  int('maxTitleWords', o.maxTitleWords, 0);
  int('maxPassageBytes', o.maxPassageBytes, MIN_PASSAGE_BYTES);
  if (o.overlapWords * 2 > o.wordsPerPassage) throw invalidArgument('chunker overlapWords must be at most half of wordsPerPassage', 'invalid_chunker_config');
  // The title never takes more than half a passage.
  return { ...o, maxTitleWords: Math.min(o.maxTitleWords, Math.floor(o.wordsPerPassage / 2)) };
}

/** Title + "\n" + the chunk with whitespace runs collapsed to one space; empty parts are dropped. */
export function passageEmbeddingText(embeddingTitle: string, content: string): string {
  const chunk = collapseWhitespace(content);
  if (embeddingTitle === '') return chunk;
  if (chunk === '') return embeddingTitle;
  return `${embeddingTitle}\n${chunk}`;
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The title as it is prefixed to every passage's embedding text (cut to maxTitleWords). */
export function embeddingTitleFor(title: string, options: ChunkerOptions = {}): string {
  const o = resolveChunkerOptions(options);
  return cutTitle(title, o).text;
}

/**
 * Cuts the title to at most maxTitleWords word units and a quarter of
 * maxPassageBytes (at a unit boundary). Returns the title and its cost.
 */
function cutTitle(title: string, o: Required<ChunkerOptions>): { text: string; cost: number } {
  const units = segmentText(title, o.wordsPerPassage / o.charsPerPassage);
  const offsets = byteOffsets(title, units);
  const maxBytes = Math.floor(o.maxPassageBytes / 4);
  let cost = 0;
  let end = 0;
  for (let k = 0; k < units.length; k++) {
    if (cost + units[k].cost > o.maxTitleWords || offsets.end[k] > maxBytes) break;
    cost += units[k].cost;
    end = units[k].end;
  }
  return { text: collapseWhitespace(title.slice(0, end)), cost };
}

/** UTF-8 byte offsets of each unit's start and end in `text`, in one pass. */
function byteOffsets(text: string, units: readonly TextUnit[]): { start: number[]; end: number[] } {
  const start: number[] = [];
  const end: number[] = [];
  let at = 0;
  let bytes = 0;
  for (const u of units) {
    bytes += utf8Bytes(text.slice(at, u.start));
    start.push(bytes);
    bytes += utf8Bytes(text.slice(u.start, u.end));
    end.push(bytes);
    at = u.end;
  }
  return { start, end };
}

/** Splits a document into overlapping passages. Always returns at least one passage. */
export function chunkDocument(doc: { title: string; content: string }, options: ChunkerOptions = {}): ChunkedDocument {
  const o = resolveChunkerOptions(options);
  const denseCost = o.wordsPerPassage / o.charsPerPassage;
  const title = cutTitle(doc.title, o);
  const budget = { units: o.wordsPerPassage - title.cost, bytes: o.maxPassageBytes - utf8Bytes(title.text) - 1 };
  const units = segmentText(doc.content, denseCost);
  const bytes = byteOffsets(doc.content, units);
  const make = (index: number, start: number, end: number): Passage => {
    const content = doc.content.slice(start, end);
    return { index, content, charStart: start, charEnd: end, embeddingText: passageEmbeddingText(title.text, content) };
  };
  if (units.length === 0) return { passages: [make(0, 0, 0)], embeddingTitle: title.text };

  const passages: Passage[] = [];
  let i = 0;
  for (;;) {
    const j = windowEnd(units, bytes, i, budget);
    passages.push(make(passages.length, units[i].start, units[j - 1].end));
    if (j >= units.length) break;
    i = overlapStart(units, i, j, o.overlapWords);
  }
  return { passages, embeddingTitle: title.text };
}

/**
 * Exclusive end of the window starting at unit i: as many units as fit both
 * budgets (word units, and raw bytes from the first unit's start to the last
 * one's end), at least one. One unit always fits the byte budget: it is at
 * most 48 characters (192 bytes) and the budget at least 3/4 of 1024 bytes.
 */
function windowEnd(units: TextUnit[], bytes: { start: number[]; end: number[] }, i: number, budget: { units: number; bytes: number }): number {
  let j = i;
  let cost = 0;
  while (j < units.length && (j === i || (cost + units[j].cost <= budget.units + 1e-9 && bytes.end[j] - bytes.start[i] <= budget.bytes))) {
    cost += units[j].cost;
    j++;
  }
  return j;
}

/** Start of the next window: back from j by up to `overlap` units, but always after i (progress). */
function overlapStart(units: TextUnit[], i: number, j: number, overlap: number): number {
  let k = j;
  let cost = 0;
  while (k > i + 1 && cost + units[k - 1].cost <= overlap + 1e-9) {
    cost += units[k - 1].cost;
    k--;
  }
  return k;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
