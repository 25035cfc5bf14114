import { describe, expect, it } from 'vitest';
import { bigrams, tokenize } from './tokenize.js';

describe('tokenize (the BM25 baseline)', () => {
  it('lower-cases, splits on non-letters and strips plurals in English', () => {
    expect(tokenize('Download your Invoices (PDF) — 2 files!', 'en')).toEqual(['download', 'your', 'invoice', 'pdf', '2', 'file']);
    expect(tokenize('batteries glasses', 'en')).toEqual(['battery', 'glasse']);
  });

  it('folds diacritics and strips Romance plural and gender endings', () => {
    expect(tokenize('Teléfono telefonos', 'es')).toEqual(['telefon', 'telefon']);
    expect(tokenize('facture factures', 'fr')).toEqual(['factur', 'factur']);
    expect(tokenize('fattura fatture', 'it')).toEqual(['fattur', 'fattur']);
  });

  it('strips German inflection endings but keeps short words', () => {
    expect(tokenize('Rechnungen Rechnung die', 'de')).toEqual(['rechnung', 'rechnung', 'die']);
    expect(tokenize('Zählerstände', 'de-CH')).toEqual(['zahlerstand']);
  });

  it('cuts CJK runs into character bigrams, keeping Latin words inside them whole', () => {
    expect(tokenize('发票怎么开', 'zh')).toEqual(['发票', '票怎', '怎么', '么开']);
    expect(tokenize('Wi-Fi設定', 'ja')).toEqual(['wi', 'fi', '設定']);
    expect(tokenize('주차 등록', 'ko')).toEqual(['주차', '등록']);
    expect(tokenize('本', 'ja')).toEqual(['本']);
    expect(tokenize('トレーニング', 'ja')).toEqual(['トレ', 'レー', 'ーニ', 'ニン', 'ング']);
    // Kana keep their voicing marks (no diacritic folding for CJK).
    expect(tokenize('ガス', 'ja')).toEqual(['ガス']);
  });

  it('leaves words of languages without a stemmer as they are', () => {
    expect(tokenize('Ustawienia konta', 'pl')).toEqual(['ustawienia', 'konta']);
    expect(bigrams('ab')).toEqual(['ab']);
  });
});
