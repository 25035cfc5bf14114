import type { RunMessage } from './protocol.js';

export type PaddedBatch = Omit<RunMessage, 'type' | 'id'>;

/**
 * Right-pads token sequences to the longest one. Padding per batch (not to
 * the model maximum) keeps a batch of short queries cheap; the attention mask
 * and masked pooling make the padding invisible in the vectors.
 */
export function padBatch(sequences: readonly number[][], padId: number): PaddedBatch {
  const rows = sequences.length;
  const seqLen = sequences.reduce((m, s) => Math.max(m, s.length), 0);
  const ids = new Int32Array(rows * seqLen).fill(padId);
  const lengths = new Int32Array(rows);
  sequences.forEach((seq, r) => {
    ids.set(seq, r * seqLen);
    lengths[r] = seq.length;
  });
  return { ids, rows, seqLen, lengths, padId };
}

/** What a fused batch costs in padded tokens: the budget the queue bounds. */
export function paddedTokens(sequences: Iterable<{ length: number }>): number {
  let rows = 0;
  let longest = 0;
  for (const s of sequences) {
    rows++;
    longest = Math.max(longest, s.length);
  }
  return rows * longest;
}
