import { describe, expect, it } from 'vitest';
import { byLanguage, byType, formatTable, macroAverage, percentileOf } from './report.js';
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

  it('takes nearest-rank percentiles', () => {
    expect(percentileOf([3, 1, 2, 4], 50)).toBe(2);
    expect(percentileOf([3, 1, 2, 4], 90)).toBe(4);
    expect(percentileOf([], 50)).toBeUndefined();
  });
});
