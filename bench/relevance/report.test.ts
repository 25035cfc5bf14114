import { describe, expect, it } from 'vitest';
import { byLanguage, byType, formatSummary, formatTable, macroAverage, percentileOf } from './report.js';
import type { SuiteQuery } from './suite.js';

const q = (id: string, lang: string, type: SuiteQuery['type'], relevant: Record<string, 1 | 2>): SuiteQuery => ({ id, lang, type, query: id, relevant });
const queries = [
  q('en-q1', 'en', 'question', { a: 2 }),
  q('en-q2', 'en', 'question', { b: 2 }),
  q('en-q3', 'en', 'unanswerable', {}),
  q('de-q1', 'de', 'keyword', { c: 2 }),
];
const run = { name: 'sys', rankings: new Map([['en-q1', ['a']], ['en-q2', []], ['en-q3', ['x']], ['de-q1', ['x', 'c']]]) };

describe('report', () => {
  it('averages languages with equal weight, not queries', () => {
    const table = byLanguage(queries, ['en', 'de'], [run]);
    expect(table.rows.get('en')!.get('sys')!.mrr10).toBe(0.5);
    expect(table.rows.get('de')!.get('sys')!.mrr10).toBe(0.5);
    expect(table.rows.get('en')!.get('sys')!.zeroHit).toBe(0.5);
    const avg = table.rows.get('average')!.get('sys')!;
    expect(avg.zeroHit).toBe(0.25);
    expect(avg.unanswerableWithHit).toBe(1);
    expect(avg.answerable).toBe(3);
    expect(macroAverage([{ answerable: 1, unanswerable: 0, ndcg10: 1 }, { answerable: 9, unanswerable: 0, ndcg10: 0 }]).ndcg10).toBe(0.5);
  });

  it('groups by query type and prints fixed-width rows with counts', () => {
    const table = byType(queries, [run]);
    expect([...table.rows.keys()]).toEqual(['question', 'keyword', 'unanswerable']);
    const text = formatTable('MRR@10', table, 'mrr10', ['sys']);
    expect(text.split('\n')[1]).toMatch(/^question \(2\)\s+0\.500$/);
    expect(formatTable('zero hits', table, 'zeroHit', ['sys']).split('\n')[1]).toMatch(/50\.0%$/);
    expect(formatTable('MRR@10', table, 'mrr10', ['sys']).split('\n')).toHaveLength(3);
    expect(formatTable('unanswerable', table, 'unanswerableWithHit', ['sys']).split('\n').slice(1)).toEqual([expect.stringMatching(/^unanswerable \(1\)\s+100\.0%$/)]);
  });

  it('prints confidence figures as shares, counted over the queries they are about', () => {
    const table = byLanguage(queries, ['en', 'de'], [{ ...run, lowConfidence: new Set(['en-q3']) }]);
    expect(table.rows.get('en')!.get('sys')!.unanswerableConfident).toBe(0);
    expect(table.rows.get('en')!.get('sys')!.firstHitPrecision).toBe(1);
    expect(formatTable('first hit', table, 'firstHitPrecision', ['sys']).split('\n')[1]).toMatch(/^en \(3\)\s+100\.0%$/);
    expect(formatTable('confident', table, 'unanswerableConfident', ['sys']).split('\n')[1]).toMatch(/^en \(1\)\s+0\.0%$/);
  });

  it('prints alternatives as rows of averaged figures with extra columns', () => {
    const summary = { answerable: 2, unanswerable: 1, ndcg10: 0.5, firstHitPrecision: 0.25 };
    const text = formatSummary('margin', [{ label: '0.05', summary, extra: { hits: '6.1' } }], ['ndcg10', 'firstHitPrecision']);
    expect(text.split('\n')).toEqual([expect.stringMatching(/^margin\s+nDCG@10\s+first-hit prec\.\s+hits$/), expect.stringMatching(/^0\.05\s+0\.500\s+25\.0%\s+6\.1$/)]);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentileOf([3, 1, 2, 4], 50)).toBe(2);
    expect(percentileOf([3, 1, 2, 4], 90)).toBe(4);
    expect(percentileOf([], 50)).toBeUndefined();
  });
});
