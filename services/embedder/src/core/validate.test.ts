import { describe, expect, it } from 'vitest';
import { validateTexts } from './validate.js';

const limits = { maxInputs: 3, maxInputBytes: 10 };

describe('validateTexts', () => {
  it.each([
    [[], /texts is empty/],
    [['a', 'b', 'c', 'd'], /limit is 3 per request \(EMBEDDER_MAX_INPUTS\)/],
    [['ok', ''], /texts\[1\] is empty/],
    [['   '], /texts\[0\] is empty/],
    [['ééééééé'], /14 bytes, the limit is 10 bytes per text \(EMBEDDER_MAX_INPUT_BYTES\)/],
  ])('rejects %j naming the limit', (texts, message) => {
    expect(() => validateTexts(texts, limits)).toThrow(message);
    try {
      validateTexts(texts, limits);
    } catch (err) {
      expect(err).toMatchObject({ kind: 'invalid_argument' });
    }
  });

  it('accepts texts within the limits, counting bytes not characters', () => {
    expect(() => validateTexts(['hello', '日本'], limits)).not.toThrow();
  });
});
