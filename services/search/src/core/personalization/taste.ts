/**
 * A user's taste vector for one model:
 *
 *   taste = normalize( Σ_d  p_d · v_d )
 *
 * where p_d is the user's preference for document d (signals.ts: positive
 * pulls, negative pushes, neutral ignored) and v_d the document's vector:
 * the L2-normalized mean of its passage vectors in that model. The result
 * is unit length, so cosine(taste, item) is a dot product. With no signal
 * (or signals that cancel out) there is no taste: plain ranking applies.
 */
export function tasteVector(preferences: ReadonlyMap<string, number>, documentVectors: ReadonlyMap<string, readonly number[]>): number[] | undefined {
  let sum: Float64Array | undefined;
  for (const [doc, p] of preferences) {
    const v = documentVectors.get(doc);
    if (!v) continue; // not embedded (yet) in this model, or deleted
    sum ??= new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) sum[i] += p * v[i];
  }
  if (!sum) return undefined;
  const norm = Math.hypot(...sum);
  if (!(norm > 1e-12)) return undefined;
  return Array.from(sum, (x) => x / norm);
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** L2-normalized mean: a document's vector from its passages' vectors. */
export function centroid(vectors: readonly (readonly number[])[]): number[] | undefined {
  if (vectors.length === 0) return undefined;
  const sum = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i] += v[i];
  const norm = Math.hypot(...sum);
  return norm > 0 ? Array.from(sum, (x) => x / norm) : undefined;
}
