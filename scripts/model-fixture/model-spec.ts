import type { VocabSize } from './vocab.js';

export type FixtureSize = VocabSize;

/** Shapes and init scales of the two fixtures. */
export interface ModelSpec {
  size: FixtureSize;
  modelId: string;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  padId: number;
  layerNormEps: number;
  /** Std of word embeddings before the embedding LayerNorm. */
  wordStd: number;
  positionStd: number;
  /** Std of every projection weight (Q/K/V/O, FFN). */
  weightStd: number;
  /**
   * Tiny only: words that differ only in case or the leading ▁ share most of
   * their embedding, so "Haus" and "haus" land close together.
   */
  keyedEmbeddings: boolean;
}

export const SIZES: readonly FixtureSize[] = ['tiny', 'e5-small'];

export function isFixtureSize(value: unknown): value is FixtureSize {
  return typeof value === 'string' && (SIZES as readonly string[]).includes(value);
}

export function modelSpec(size: FixtureSize): ModelSpec {
  const common = { maxPositions: 514, padId: 1, layerNormEps: 1e-5 };
  if (size === 'tiny') {
    return {
      ...common,
      size,
      modelId: 'polysearch/fixture-tiny',
      hidden: 64,
      layers: 2,
      heads: 4,
      intermediate: 256,
      // Embeddings dominate the residual stream (projections are 50x
      // smaller), so a mean-pooled vector is close to a bag of words and
      // texts that share words come out similar.
      wordStd: 1,
      positionStd: 0.05,
      weightStd: 0.02,
      keyedEmbeddings: true,
    };
  }
  // multilingual-e5-small (Multilingual-MiniLM-L12-H384), BERT init.
  return {
    ...common,
    size,
    modelId: 'polysearch/fixture-e5-small',
    hidden: 384,
    layers: 12,
    heads: 12,
    intermediate: 1536,
    wordStd: 0.02,
    positionStd: 0.02,
    weightStd: 0.02,
    keyedEmbeddings: false,
  };
}
