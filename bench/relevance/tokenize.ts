/**
 * Tokenization for the benchmark's BM25 (the peer of keyword search; not the
 * product's). Deliberately plain, so that the baseline is easy to trust:
 *
 * - NFKC, lower case;
 * - words are runs of letters, marks and digits; anything else separates;
 * - scripts written without spaces (Han, Hiragana, Katakana) and Hangul become
 *   overlapping character bigrams of each run (a one-character run is its own
 *   token): no dictionary, and it is what CJK search engines fall back to.
 *   Characters count by script extension, so the prolonged sound mark ー and
 *   the iteration mark 々 stay inside their word;
 * - other words lose their diacritics (é → e: "telefono" matches "teléfono")
 *   and are cut by a light, per-language suffix stripper (plural and gender
 *   endings only; the point is "invoice" = "invoices", not a full stemmer).
 */

/** Characters tokenized as bigrams. Hangul is spaced by words, but its words carry particles, so bigrams match better. */
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

export function tokenize(text: string, lang: string): string[] {
  const out: string[] = [];
  const stem = STEMMERS[primary(lang)] ?? ((w: string) => w);
  for (const [word] of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    // Split the word into runs of CJK and non-CJK characters ("wi-fi设置" has both).
    let run = '';
    let runIsCjk = false;
    const flush = () => {
      if (run === '') return;
      if (runIsCjk) out.push(...bigrams(run));
      else out.push(stem(foldDiacritics(run)));
      run = '';
    };
    for (const ch of word) {
      const isCjk = CJK.test(ch);
      if (run !== '' && isCjk !== runIsCjk) flush();
      runIsCjk = isCjk;
      run += ch;
    }
    flush();
  }
  return out.filter((t) => t !== '');
}

export function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

function primary(lang: string): string {
  return lang.toLowerCase().split(/[-_]/)[0];
}

function foldDiacritics(word: string): string {
  return word.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
}

/** Strips the first suffix that leaves at least `keep` characters. */
function stripper(suffixes: string[], keep: number): (w: string) => string {
  const sorted = [...suffixes].sort((a, b) => b.length - a.length);
  return (w) => {
    for (const s of sorted) if (w.length - s.length >= keep && w.endsWith(s)) return w.slice(0, -s.length);
    return w;
  };
}

/** Harman's S-stemmer: plurals only. */
function english(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && !w.endsWith('eies') && !w.endsWith('aies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('es') && !w.endsWith('aes') && !w.endsWith('ees') && !w.endsWith('oes')) return w.slice(0, -1);
  if (w.endsWith('s') && !w.endsWith('us') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Romance languages: plural, then the final gender vowel ("facturas" → "factur", "factura" → "factur"). */
function romance(pluralSuffixes: string[], finalVowels: string[]): (w: string) => string {
  const plural = stripper(pluralSuffixes, 3);
  const vowel = stripper(finalVowels, 3);
  return (w) => vowel(plural(w));
}

const STEMMERS: Record<string, (w: string) => string> = {
  en: english,
  // Light German stemming in the spirit of Savoy's CLEF stemmer: inflection endings only.
  de: stripper(['ern', 'em', 'en', 'er', 'es', 'e', 'n', 's'], 4),
  fr: romance(['aux', 's', 'x'], ['e']),
  es: romance(['es', 's'], ['a', 'o', 'e']),
  it: romance([], ['a', 'e', 'i', 'o']),
};
