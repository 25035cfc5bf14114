import { createHash } from 'node:crypto';
import type { ModelFingerprint } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import type { ModelDirectory } from './model-dir.js';

/** Everything that decides what a vector means, with a short digest to compare by. */
export function fingerprintOf(model: ModelDirectory): ModelFingerprint {
  const parts = {
    modelId: model.modelId,
    onnxSha256: model.onnxSha256,
    profile: model.profile,
    pooling: 'mean',
    normalized: true,
    dimensions: model.hiddenSize,
    maxTokens: model.maxTokens,
  };
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
  return { ...parts, digest };
}
