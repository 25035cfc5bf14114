import { describe, expect, it } from 'vitest';
import { isRefused } from '../store/passage-outcome.js';
import { embedIsolatingRefusals } from './embed-isolating.js';

class Refused extends Error {}

/** A fake embedder: refuses a call holding a "POISON" text or more than maxInputs texts; vectors encode the text's number. */
function fakeEmbedder(maxInputs = 100) {
  const calls: number[] = [];
  const embed = async (texts: string[]) => {
    calls.push(texts.length);
    if (texts.length > maxInputs) throw new Refused(`too many texts: ${texts.length}`);
    const bad = texts.findIndex((t) => t.startsWith('POISON'));
    if (bad >= 0) throw new Refused(`texts[${bad}] is too large`);
    return texts.map((t) => [Number(t.replace(/\D/g, '')) + 1]);
  };
  const refusal = (err: unknown) => (err instanceof Refused ? err.message : undefined);
  return { calls, embed, refusal };
}

describe('embedIsolatingRefusals', () => {
  it('embeds every text but the refused ones, in order, without a refusal costing its batch', async () => {
    const f = fakeEmbedder();
    const texts = Array.from({ length: 32 }, (_, i) => (i === 5 || i === 20 ? `POISON ${i}` : `text ${i}`));
    const out = await embedIsolatingRefusals(texts, { batch: 32, embed: f.embed, refusal: f.refusal });
    expect(out).toHaveLength(32);
    out.forEach((o, i) => {
      if (i === 5 || i === 20) expect(o).toEqual({ refused: 'texts[0] is too large' });
      else expect(o).toEqual([i + 1]);
    });
    // Bisection, not one call per text: 2 refusals among 32 need well under 32 calls.
    expect(f.calls.length).toBeLessThan(20);
  });

  it('makes one call per batch when nothing is refused', async () => {
    const f = fakeEmbedder();
    const out = await embedIsolatingRefusals(Array.from({ length: 10 }, (_, i) => `t${i}`), { batch: 4, embed: f.embed, refusal: f.refusal });
    expect(f.calls).toEqual([4, 4, 2]);
    expect(out.some(isRefused)).toBe(false);
  });

  it('splits a batch the embedder refuses as too large until it fits', async () => {
    const f = fakeEmbedder(3);
    const out = await embedIsolatingRefusals(Array.from({ length: 8 }, (_, i) => `t${i}`), { batch: 8, embed: f.embed, refusal: f.refusal });
    expect(out).toEqual(Array.from({ length: 8 }, (_, i) => [i + 1]));
  });

  it('throws an error that is not a refusal (the caller stores pending)', async () => {
    const embed = async () => {
      throw new Error('unavailable');
    };
    await expect(embedIsolatingRefusals(['a', 'b'], { batch: 2, embed, refusal: () => undefined })).rejects.toThrow('unavailable');
  });
});
