import { Prng } from './prng.js';
import { E5_PREFIX_WORDS, PREFIXES, SUFFIXES, WORDS } from './word-lists.js';

/**
 * The Unigram vocabulary: [piece, log-probability score] in id order, with
 * XLM-R's special ids (<s>=0, <pad>=1, </s>=2, <unk>=3) and <mask> last.
 *
 * Scores only matter relative to each other: Viterbi maximises their sum, so
 * whole words (about -6) beat their subwords (-8 each), which beat single
 * characters (-9 to -11). That keeps test texts at one piece per known word.
 */
export const SPECIAL_PIECES = ['<s>', '<pad>', '</s>', '<unk>'] as const;
export const MASK_PIECE = '<mask>';
export const SPACE = '\u2581';

export interface Vocabulary {
  pieces: string[];
  scores: number[];
}

export type VocabSize = 'tiny' | 'e5-small';
export const E5_SMALL_VOCAB_SIZE = 250_037;

class VocabBuilder {
  readonly pieces: string[] = [];
  readonly scores: number[] = [];
  private readonly seen = new Set<string>();

  add(piece: string, score: number): boolean {
    if (piece.length === 0 || this.seen.has(piece)) return false;
    this.seen.add(piece);
    this.pieces.push(piece);
    // Rounded so tokenizer.json stays short and its bytes are stable.
    this.scores.push(Math.round(score * 1e4) / 1e4);
    return true;
  }

  get size(): number {
    return this.pieces.length;
  }
}

function codePointRange(from: number, to: number): string[] {
  const out: string[] = [];
  for (let cp = from; cp <= to; cp++) {
    const ch = String.fromCodePoint(cp);
    // Only assigned, NFKC-stable characters: the normalizer runs NFKC first,
    // so anything else could never reach the model as itself.
    if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch) && ch.normalize('NFKC') === ch) out.push(ch);
  }
  return out;
}

/** Latin-script characters: ASCII, Latin-1, Extended-A/B, Vietnamese, punctuation, currency. */
function latinCharacters(): string[] {
  return [
    ...codePointRange(0x21, 0x7e),
    ...codePointRange(0xa1, 0xff),
    ...codePointRange(0x100, 0x24f),
    ...codePointRange(0x1e00, 0x1eff),
    ...codePointRange(0x2010, 0x2027),
    ...codePointRange(0x20a0, 0x20bf),
  ];
}

/** Other scripts XLM-R covers; only the benchmark-size vocabulary carries them. */
function otherScriptCharacters(): string[] {
  return [
    ...codePointRange(0x370, 0x3ff), // Greek
    ...codePointRange(0x400, 0x4ff), // Cyrillic
    ...codePointRange(0x590, 0x5ff), // Hebrew
    ...codePointRange(0x600, 0x6ff), // Arabic
    ...codePointRange(0x900, 0x97f), // Devanagari
    ...codePointRange(0xe00, 0xe7f), // Thai
    ...codePointRange(0x3040, 0x30ff), // Hiragana, Katakana
    ...codePointRange(0x3000, 0x303f), // CJK punctuation
    ...codePointRange(0x4e00, 0x9fff), // CJK unified ideographs
    ...codePointRange(0xac00, 0xd7a3), // Hangul syllables
    ...codePointRange(0x1f300, 0x1f64f), // common emoji
  ];
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function addWords(v: VocabBuilder): void {
  for (const w of E5_PREFIX_WORDS) v.add(SPACE + w, -5);
  const languages = Object.values(WORDS);
  // Interleave languages so no language gets all the best scores.
  const longest = Math.max(...languages.map((l) => l.length));
  for (let rank = 0; rank < longest; rank++) {
    for (const words of languages) {
      const w = words[rank];
      if (w === undefined) continue;
      v.add(SPACE + w, -6 - rank * 0.004);
      v.add(SPACE + capitalize(w), -7 - rank * 0.004);
    }
  }
  for (const p of PREFIXES) v.add(SPACE + p, -8);
  for (const s of SUFFIXES) v.add(s, -8.2);
}

function addCharacters(v: VocabBuilder, extraScripts: boolean): void {
  v.add(SPACE, -3.5);
  for (const ch of latinCharacters()) {
    const ascii = ch.charCodeAt(0) < 0x80;
    const score = /[\p{L}\p{N}]/u.test(ch) ? (ascii ? -9 : -9.5) : ascii ? -5.5 : -8;
    v.add(ch, score);
  }
  if (extraScripts) for (const ch of otherScriptCharacters()) v.add(ch, -10.5);
}

/** Syllable shapes per script for the filler pieces of the big vocabulary. */
const SHAPES: { weight: number; onset: string[]; nucleus: string[]; coda: string[]; spaced: boolean }[] = [
  { weight: 14, onset: split('b c d f g h j k l m n p r s t v w z br ch cl cr dr fl fr gr pl pr sch sp st str th tr'), nucleus: split('a e i o u ä ö ü é è à ò ó á í ú ie ei au ou ai ea'), coda: ['', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ng', 'nt', 'rt', 'ck', 'ss'], spaced: true },
  { weight: 3, onset: split('б в г д ж з к л м н п р с т ф х ц ч ш пр ст тр кр'), nucleus: split('а е и о у ы я ю э ё'), coda: ['', '', 'н', 'р', 'с', 'т', 'й', 'л', 'в', 'ст'], spaced: true },
  { weight: 1, onset: split('β γ δ θ κ λ μ ν π ρ σ τ φ χ'), nucleus: split('α ε η ι ο υ ω ά έ ή ί ό ύ ώ'), coda: ['', '', 'ς', 'ν'], spaced: true },
  { weight: 1, onset: split('ب ت ث ج ح خ د ر ز س ش ص ع ف ق ك ل م ن ه و ي'), nucleus: ['ا', 'و', 'ي', ''], coda: ['', 'ن', 'ل', 'م', 'ة'], spaced: true },
  { weight: 2, onset: split('一 人 大 中 国 日 本 学 生 年 会 时 上 下 出 行 发 地 成 家 作 用 电 可 公 事 方 后 高 新'), nucleus: split('的 是 在 和 有 为 这 来 到 说 要 就 能 对 多 心 动 业 经 民 理 开 主 长 工'), coda: [''], spaced: false },
  { weight: 1, onset: split('가 나 다 라 마 바 사 아 자 차 카 타 파 하 고 도 로 서 지 기'), nucleus: split('는 을 이 에 의 한 로 고 서 다 요 까'), coda: [''], spaced: true },
];

function split(text: string): string[] {
  return text.split(' ').filter((s) => s.length > 0);
}

function syntheticPiece(rng: Prng, totalWeight: number): string {
  let r = rng.int(totalWeight);
  let shape = SHAPES[0];
  for (const s of SHAPES) {
    if (r < s.weight) {
      shape = s;
      break;
    }
    r -= s.weight;
  }
  const syllables = 1 + rng.int(3);
  let piece = '';
  for (let i = 0; i < syllables; i++) piece += rng.pick(shape.onset) + rng.pick(shape.nucleus) + rng.pick(shape.coda);
  if (shape.spaced && rng.next() < 0.5) piece = SPACE + (rng.next() < 0.15 ? capitalize(piece) : piece);
  return piece;
}

export function buildVocabulary(size: VocabSize, rng: Prng): Vocabulary {
  const v = new VocabBuilder();
  for (const s of SPECIAL_PIECES) v.add(s, 0);
  addCharacters(v, size === 'e5-small');
  addWords(v);
  if (size === 'e5-small') {
    const target = E5_SMALL_VOCAB_SIZE - 1; // room for <mask>
    const totalWeight = SHAPES.reduce((n, s) => n + s.weight, 0);
    const fillerStart = v.size;
    const fillerCount = target - fillerStart;
    while (v.size < target) {
      // Scores fall with rank like a real unigram model's long tail.
      const rank = v.size - fillerStart;
      v.add(syntheticPiece(rng, totalWeight), -8.5 - (4 * rank) / fillerCount);
    }
  }
  v.add(MASK_PIECE, 0);
  return { pieces: v.pieces, scores: v.scores };
}
