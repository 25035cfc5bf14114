import { describe, expect, it } from 'vitest';
import { formatDuration, Progress } from './progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, columns: 60, write: (s: string) => writes.push(s) }, writes };
}

describe('Progress', () => {
  it('reports done/total, the rate of this run (resumed documents excluded), pending embeddings and ETA', () => {
    let now = 0;
    const { out } = sink(false);
    const p = new Progress(out, { total: 1_000, resumed: 200, everyMs: 10_000, now: () => now });
    now = 10_000;
    expect(p.line({ done: 400, pendingPassages: 12 })).toBe('400/1,000 documents (40.0%) · 20.0 docs/s · pending embeddings 12 · ETA 30s');
    expect(p.line({ done: 200 })).toMatch(/0\.0 docs\/s · pending embeddings \? · ETA \?$/);
  });

  it('without a terminal: a plain line at most every everyMs, and a last one at the end', () => {
    let now = 0;
    const { out, writes } = sink(false);
    const p = new Progress(out, { total: 100, resumed: 0, everyMs: 5_000, now: () => now });
    for (let done = 1; done <= 100; done++) {
      now += 100;
      p.update({ done });
    }
    p.finish();
    expect(writes.length).toBe(2 + 1); // at 0.1 s and 5.1 s; then finish
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes.at(-1)).toMatch(/^100\/100 documents \(100\.0%\)/);
  });

  it('on a terminal: redraws one line in place, cut to the width, ended by finish', () => {
    let now = 0;
    const { out, writes } = sink(true);
    const p = new Progress(out, { total: 100, resumed: 0, everyMs: 5_000, now: () => now });
    for (let done = 1; done <= 10; done++) {
      now += 150;
      p.update({ done });
    }
    p.finish();
    const redraws = writes.filter((w) => w.startsWith('\r\x1b[2K'));
    expect(redraws.length).toBe(11);
    expect(redraws.every((w) => w.length - '\r\x1b[2K'.length <= 59)).toBe(true);
    expect(writes.at(-1)).toBe('\n');
  });

  it('formats durations', () => {
    expect([0, 59.4, 61, 3_599, 3_600 * 2 + 61, Infinity].map(formatDuration)).toEqual(['0s', '59s', '1m01s', '59m59s', '2h01m', '?']);
  });
});
