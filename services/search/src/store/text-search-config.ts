import { invalidArgument } from '../../../../shared/errors.js';

/**
 * BCP-47 locale → PostgreSQL text search configuration.
 *
 * Chosen by the primary language subtag only: PostgreSQL's Snowball stemmers
 * are per language, not per region or script ("de-CH" and "de-AT" both stem
 * as german; "sr-Latn" and "sr-Cyrl" both as serbian, whose stemmer handles
 * both scripts). Languages without a configuration in PostgreSQL 15 (for
 * example zh, ja, ko, th, pl, cs, uk) get `simple`: lower-cased tokens with no
 * stemming and no stop words, which still matches exact words.
 *
 * The configuration name is always bound as a `$n::regconfig` parameter.
 */
export const TEXT_SEARCH_CONFIG_BY_LANGUAGE: Readonly<Record<string, string>> = Object.freeze({
  ar: 'arabic',
  ca: 'catalan',
  da: 'danish',
  de: 'german',
  el: 'greek',
  en: 'english',
  es: 'spanish',
  eu: 'basque',
  fi: 'finnish',
  fr: 'french',
  ga: 'irish',
  hi: 'hindi',
  hu: 'hungarian',
  hy: 'armenian',
  id: 'indonesian',
  it: 'italian',
  lt: 'lithuanian',
  nb: 'norwegian',
  ne: 'nepali',
  nl: 'dutch',
  nn: 'norwegian',
  no: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sr: 'serbian',
  sv: 'swedish',
  ta: 'tamil',
  tr: 'turkish',
  yi: 'yiddish',
});

export const FALLBACK_TEXT_SEARCH_CONFIG = 'simple';

/** Every configuration a passage can be indexed with (the mapped ones plus `simple`), sorted. */
export const ALL_TEXT_SEARCH_CONFIGS: readonly string[] = Object.freeze(
  [...new Set([...Object.values(TEXT_SEARCH_CONFIG_BY_LANGUAGE), FALLBACK_TEXT_SEARCH_CONFIG])].sort(),
);

const MAX_LOCALE_LENGTH = 64;

/**
 * Canonical form of a BCP-47 tag ("de-ch" → "de-CH", "pt_BR" → "pt-BR",
 * legacy "iw" → "he"); empty for an empty/blank tag. Stored and compared in
 * this form so that locale filters are case-insensitive in effect.
 * Throws INVALID_ARGUMENT for text that is not a language tag.
 */
export function canonicalizeLocale(tag: string | undefined | null): string {
  const trimmed = (tag ?? '').trim().replace(/_/g, '-');
  if (trimmed === '') return '';
  if (trimmed.length > MAX_LOCALE_LENGTH) {
    throw invalidArgument(`locale must be a BCP-47 tag of at most ${MAX_LOCALE_LENGTH} characters`, 'invalid_locale');
  }
  try {
    const [canonical] = Intl.getCanonicalLocales(trimmed);
    if (canonical) return canonical;
  } catch {
    // fall through
  }
  throw invalidArgument('locale must be a BCP-47 language tag such as "en", "de-CH" or "pt-BR"', 'invalid_locale');
}

/** The primary language subtag, lower-cased ("de-CH" → "de"); empty when there is none. */
export function primaryLanguage(tag: string | undefined | null): string {
  const match = /^\s*([A-Za-z]{2,8})(?:$|[-_\s])/.exec(tag ?? '');
  return match ? match[1].toLowerCase() : '';
}

/**
 * The text search configuration for a locale; `simple` for an empty, unknown
 * or malformed tag. Never throws, so indexing never fails on a locale.
 */
export function textSearchConfigFor(locale: string | undefined | null): string {
  let language = primaryLanguage(locale);
  if (language !== '' && !(language in TEXT_SEARCH_CONFIG_BY_LANGUAGE)) {
    // Legacy/deprecated subtags (in → id, iw → he, ji → yi, mo → ro) resolve through canonicalization.
    try {
      language = primaryLanguage(Intl.getCanonicalLocales(language)[0]);
    } catch {
      return FALLBACK_TEXT_SEARCH_CONFIG;
    }
  }
  return Object.prototype.hasOwnProperty.call(TEXT_SEARCH_CONFIG_BY_LANGUAGE, language)
    ? TEXT_SEARCH_CONFIG_BY_LANGUAGE[language]
    : FALLBACK_TEXT_SEARCH_CONFIG;
}
