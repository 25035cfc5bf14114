/**
 * Mean pooling over the attention mask, then L2 normalisation: the e5 recipe.
 * Padded positions must not count, or a text's vector would depend on the
 * longest text it was batched with.
 *
 * hidden: [rows, seqLen, dims] row-major; lengths[r]: real tokens of row r
 * (right padding). Returns [rows, dims] row-major, each row unit length.
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  rows: number,
  seqLen: number,
  dims: number,
  lengths: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(rows * dims);
  const acc = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    const len = lengths[r];
    for (let t = 0; t < len; t++) {
      const base = (r * seqLen + t) * dims;
      for (let d = 0; d < dims; d++) acc[d] += hidden[base + d];
    }
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      acc[d] /= Math.max(len, 1);
      norm += acc[d] * acc[d];
    }
    // A zero vector cannot be normalised; leave it zero rather than NaN.
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dims; d++) out[r * dims + d] = acc[d] * scale;
  }
  return out;
}
