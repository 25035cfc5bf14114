import { invalidArgument } from '../../../../shared/errors.js';

export type VectorLike = readonly number[] | Float32Array | Float64Array;

/**
 * Vectors travel as pgvector's text form '[0.1,0.2,…]' bound as a `$n`
 * parameter and cast with `::vector`, so pg and PGlite behave the same.
 * Rejects wrong dimensions and non-finite values (pgvector would raise a
 * less helpful error, and NaN would poison cosine distance).
 */
export function toVectorLiteral(vec: VectorLike, dims: number, what = 'vector'): string {
  if (vec.length !== dims) {
    throw invalidArgument(`${what} has ${vec.length} dimensions, the index expects ${dims}`, 'vector_dims_mismatch');
  }
  const parts = new Array<string>(vec.length);
  for (let i = 0; i < vec.length; i++) {
    const v = vec[i];
    if (!Number.isFinite(v)) throw invalidArgument(`${what} contains a non-finite value`, 'vector_not_finite');
    parts[i] = String(v);
  }
  return `[${parts.join(',')}]`;
}

/** Parses pgvector's text form (select the column `::text`). */
export function fromVectorLiteral(text: string): number[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}

/** Cosine distance is undefined for a zero vector (pgvector returns NaN); reject it up front. */
export function assertNonZero<V extends VectorLike>(vec: V, what = 'vector'): V {
  for (let i = 0; i < vec.length; i++) if (vec[i] !== 0) return vec;
  throw invalidArgument(`${what} is all zeros; cosine similarity is undefined for it`, 'vector_zero');
}
