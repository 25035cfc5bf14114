import { hashString, Prng } from './prng.js';
import { SPACE } from './vocab.js';

/**
 * Random weights, produced directly in the int8 form onnxruntime's
 * quantize_dynamic writes (symmetric, zero point 0, one scale per tensor).
 * Drawing int8 values straight away avoids holding a float copy of the 96M
 * element embedding table of the e5-small fixture.
 */
export interface QuantizedTensor {
  data: Int8Array;
  scale: number;
}

/** A Gaussian clipped at this many std devs maps onto the int8 range. */
const CLIP_SIGMAS = 4.5;

export function randomQuantized(count: number, std: number, rng: Prng): QuantizedTensor {
  const data = new Int8Array(count);
  const unit = 127 / CLIP_SIGMAS;
  for (let i = 0; i < count; i++) {
    const q = Math.round(rng.normal() * unit);
    data[i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return { data, scale: (CLIP_SIGMAS * std) / 127 };
}

export function randomFloats(count: number, std: number, rng: Prng): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal() * std;
  return out;
}

/**
 * Embedding table for the tiny fixture. Each piece's vector is the vector of
 * its "key" (lower case, without the word-start ▁) plus a little noise of its
 * own: "▁Welt", "▁welt" and "welt" are near neighbours, unrelated words are
 * near-orthogonal. Keys get their own PRNG stream so a vector depends only on
 * the seed and the key, not on where the piece sits in the vocabulary.
 */
export function keyedEmbeddingTable(pieces: string[], hidden: number, std: number, seed: number): QuantizedTensor {
  const scale = (CLIP_SIGMAS * std) / 127;
  const data = new Int8Array(pieces.length * hidden);
  const keyVectors = new Map<string, Float32Array>();
  pieces.forEach((piece, row) => {
    const key = piece.startsWith(SPACE) && piece.length > 1 ? piece.slice(1).toLowerCase() : piece.toLowerCase();
    let base = keyVectors.get(key);
    if (!base) {
      base = randomFloats(hidden, std, new Prng(hashString(key, seed)));
      keyVectors.set(key, base);
    }
    const own = new Prng(hashString(piece, seed ^ 0x5bd1e995));
    for (let j = 0; j < hidden; j++) {
      const q = Math.round((base[j] + 0.25 * std * own.normal()) / scale);
      data[row * hidden + j] = q > 127 ? 127 : q < -127 ? -127 : q;
    }
  });
  return { data, scale };
}
