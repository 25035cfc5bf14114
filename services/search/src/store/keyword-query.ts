/**
 * The keyword query syntax, as in PostgreSQL's websearch_to_tsquery, read
 * with any-word semantics:
 *
 * - plain words: any of them may match; a passage ranks by how much of the
 *   query it matches and how rare those words are (keyword-search.ts);
 * - "a quoted phrase": must occur, its words adjacent and in order (its
 *   words also count towards the rank);
 * - -word or -"a phrase": passages containing it are left out;
 * - OR between words is accepted and changes nothing (every word is
 *   optional already).
 *
 * Anything else is text: operators of tsquery (&, |, !, <->, :*) are not
 * syntax here, PostgreSQL's parser drops them as punctuation. An unclosed
 * quote runs to the end of the query, as in websearch_to_tsquery.
 */
export interface KeywordQueryParts {
  /** The plain words and the words of the phrases: the text whose terms are searched and ranked. */
  positive: string;
  /** Phrases that must occur. */
  phrases: string[];
  /** Words and phrases that must not occur. */
  excluded: string[];
}

export function parseKeywordQuery(text: string): KeywordQueryParts {
  const positive: string[] = [];
  const phrases: string[] = [];
  const excluded: string[] = [];
  let i = 0;
  const n = text.length;
  const isSpace = (c: string) => /\s/u.test(c);
  while (i < n) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    // A '-' right before a word or a quote, at the start of a token, excludes it.
    let negated = false;
    if (text[i] === '-' && i + 1 < n && !isSpace(text[i + 1])) {
      negated = true;
      i++;
    }
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      const phrase = text.slice(i + 1, close < 0 ? n : close).trim();
      i = close < 0 ? n : close + 1;
      if (phrase === '') continue;
      if (negated) excluded.push(phrase);
      else {
        phrases.push(phrase);
        positive.push(phrase);
      }
      continue;
    }
    let end = i;
    while (end < n && !isSpace(text[end]) && text[end] !== '"') end++;
    const word = text.slice(i, end);
    i = end;
    if (word === '' || word === '-') continue;
    if (negated) excluded.push(word);
    else if (word.toLowerCase() !== 'or') positive.push(word);
  }
  return { positive: positive.join(' '), phrases, excluded };
}
