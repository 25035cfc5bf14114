import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNKER_OPTIONS, embeddingTitleFor, passageEmbeddingText } from './chunker.js';
import { segmentText } from './text-units.js';

const words = (n: number, prefix = 'w') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean);
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

describe('chunkDocument', () => {
  it('keeps a short text in one passage with the title prefixed for embedding', () => {
    const { passages } = chunkDocument({ title: 'Printer setup', content: 'Press the blue button twice.' });
    expect(passages).toHaveLength(1);
    expect(passages[0]).toEqual({
      index: 0,
      content: 'Press the blue button twice.',
      charStart: 0,
      charEnd: 28,
      embeddingText: 'Printer setup\nPress the blue button twice.',
    });
  });

  it('returns one passage for empty content (title only)', () => {
    const { passages } = chunkDocument({ title: 'Only a title', content: '   ' });
    expect(passages).toHaveLength(1);
    expect(passages[0].content).toBe('');
    expect(passages[0].embeddingText).toBe('Only a title');
  });

  it('splits a long text into overlapping passages that cover every word, tail included', () => {
    const all = words(1000);
    const content = all.join(' ');
    const { passages } = chunkDocument({ title: 'T', content });
    expect(passages.length).toBeGreaterThan(5);

    const covered = new Set<string>();
    for (const p of passages) {
      expect(p.content).toBe(content.slice(p.charStart, p.charEnd));
      const ws = wordsOf(p.content);
      // title (1 unit) + chunk within the budget
      expect(ws.length + 1).toBeLessThanOrEqual(DEFAULT_CHUNKER_OPTIONS.wordsPerPassage);
      ws.forEach((w) => covered.add(w));
    }
    expect(all.every((w) => covered.has(w))).toBe(true);
    expect(wordsOf(passages.at(-1)!.content).at(-1)).toBe('w999');
    expect(passages.at(-1)!.charEnd).toBe(content.length);

    for (let i = 1; i < passages.length; i++) {
      const previous = wordsOf(passages[i - 1].content);
      const current = wordsOf(passages[i].content);
      const overlap = previous.filter((w) => current.includes(w));
      expect(overlap.length).toBe(DEFAULT_CHUNKER_OPTIONS.overlapWords);
      expect(passages[i].charStart).toBeLessThan(passages[i - 1].charEnd);
      expect(passages[i].index).toBe(i);
    }
  });

  it('honours configured sizes', () => {
    const { passages } = chunkDocument({ title: '', content: words(100).join(' ') }, { wordsPerPassage: 20, overlapWords: 5 });
    expect(wordsOf(passages[0].content)).toHaveLength(20);
    expect(wordsOf(passages[1].content)[0]).toBe('w15');
    expect(passages.every((p) => wordsOf(p.content).length <= 20)).toBe(true);
  });

  it('takes the title out of every passage budget and cuts long titles', () => {
    const title = words(50, 't').join(' ');
    const { passages, embeddingTitle } = chunkDocument({ title, content: words(400).join(' ') });
    expect(wordsOf(embeddingTitle)).toHaveLength(DEFAULT_CHUNKER_OPTIONS.maxTitleWords);
    for (const p of passages) {
      expect(p.embeddingText.startsWith(`${embeddingTitle}\n`)).toBe(true);
      expect(wordsOf(p.embeddingText).length).toBeLessThanOrEqual(DEFAULT_CHUNKER_OPTIONS.wordsPerPassage);
    }
    expect(embeddingTitleFor(title)).toBe(embeddingTitle);
  });

  it('falls back to characters for text without spaces (CJK)', () => {
    const sentence = '東京は日本の首都であり、世界最大級の都市圏を形成している。';
    const content = sentence.repeat(40); // 1160 characters, no spaces
    const { passages } = chunkDocument({ title: '', content });
    expect(passages.length).toBeGreaterThanOrEqual(3);
    for (const p of passages) {
      expect(p.content.length).toBeLessThanOrEqual(DEFAULT_CHUNKER_OPTIONS.charsPerPassage);
      expect(p.content).toBe(content.slice(p.charStart, p.charEnd));
    }
    expect(passages[0].charStart).toBe(0);
    expect(passages.at(-1)!.charEnd).toBe(content.length);
    for (let i = 1; i < passages.length; i++) {
      expect(passages[i].charStart).toBeLessThan(passages[i - 1].charEnd); // overlap
      expect(passages[i].charStart).toBeGreaterThan(passages[i - 1].charStart); // progress
    }
  });

  it('never splits a surrogate pair', () => {
    const content = '𠮷'.repeat(1000); // astral Han character: two UTF-16 code units
    const { passages } = chunkDocument({ title: '', content });
    for (const p of passages) {
      expect(p.charStart % 2).toBe(0);
      expect(p.charEnd % 2).toBe(0);
    }
  });

  it('cuts an over-long "word" (a blob without spaces) into pieces that fit', () => {
    const content = `start ${'x'.repeat(20_000)} end`;
    const { passages } = chunkDocument({ title: '', content });
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) expect(p.content.length).toBeLessThanOrEqual(DEFAULT_CHUNKER_OPTIONS.wordsPerPassage * 12 + 10);
    expect(passages.at(-1)!.content.endsWith('end')).toBe(true);
  });

  it('bounds passages in bytes: "alpha" + 40,000 spaces + "beta" never makes a passage over the byte limit', () => {
    const content = `alpha${' '.repeat(40_000)}beta`;
    const { passages } = chunkDocument({ title: 'Poison', content });
    for (const p of passages) {
      expect(utf8(p.embeddingText)).toBeLessThanOrEqual(DEFAULT_CHUNKER_OPTIONS.maxPassageBytes);
      expect(utf8(p.content)).toBeLessThanOrEqual(DEFAULT_CHUNKER_OPTIONS.maxPassageBytes);
      expect(p.content).toBe(content.slice(p.charStart, p.charEnd));
    }
    // Both words survive, each in some passage.
    expect(passages.some((p) => p.embeddingText.includes('alpha'))).toBe(true);
    expect(passages.some((p) => p.embeddingText.includes('beta'))).toBe(true);
  });

  it('bounds passages in bytes for 4-byte scripts and long titles too, leaving room for the title', () => {
    const emoji = '😀'.repeat(11); // one word unit, 44 bytes
    const content = Array.from({ length: 2_000 }, () => emoji).join(' ');
    const title = Array.from({ length: 40 }, () => '𝔗𝔦𝔱𝔩𝔢𝔴𝔬𝔯𝔡𝔰𝔰').join(' ');
    const maxPassageBytes = 1024;
    const { passages, embeddingTitle } = chunkDocument({ title, content }, { maxPassageBytes });
    expect(utf8(embeddingTitle)).toBeLessThanOrEqual(maxPassageBytes / 4);
    expect(passages.length).toBeGreaterThan(50);
    for (const p of passages) expect(utf8(p.embeddingText)).toBeLessThanOrEqual(maxPassageBytes);
    // Every word of the content is in some passage.
    const covered = passages.reduce((n, p) => Math.max(n, p.charEnd), 0);
    expect(covered).toBe(content.length);
  });

  it('collapses whitespace in the embedding text, keeping the stored chunk exact', () => {
    const content = 'Press\n\n   the\tblue  button.\r\n';
    const { passages } = chunkDocument({ title: '  Printer \n setup ', content });
    expect(passages[0].embeddingText).toBe('Printer setup\nPress the blue button.');
    expect(passages[0].content).toBe(content.slice(passages[0].charStart, passages[0].charEnd));
  });

  it('rejects nonsensical options', () => {
    expect(() => chunkDocument({ title: '', content: 'a' }, { wordsPerPassage: 10, overlapWords: 8 })).toThrow(/overlapWords/);
    expect(() => chunkDocument({ title: '', content: 'a' }, { wordsPerPassage: 0 })).toThrow(/wordsPerPassage/);
    expect(() => chunkDocument({ title: '', content: 'a' }, { maxPassageBytes: 100 })).toThrow(/maxPassageBytes/);
  });
});

describe('segmentText', () => {
  it('costs long words more than one unit and CJK characters less', () => {
    const units = segmentText('a internationalization 東', 180 / 350);
    expect(units.map((u) => u.cost)).toEqual([1, 2, 180 / 350]);
  });
});

describe('passageEmbeddingText', () => {
  it('joins title and chunk with a newline, dropping empty parts', () => {
    expect(passageEmbeddingText('T', 'c')).toBe('T\nc');
    expect(passageEmbeddingText('', 'c')).toBe('c');
    expect(passageEmbeddingText('T', '')).toBe('T');
    expect(passageEmbeddingText('T', ' \n ')).toBe('T');
    expect(passageEmbeddingText('T', 'a \n\t b')).toBe('T\na b');
  });
});
