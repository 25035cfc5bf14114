import type { ModelStatus, RotationStatusResponse } from '../../../../shared/generated/polysearch/search/v1/search.js';
import type { RotationStatus } from '../core/rotation/model-directory.js';

export function modelStatusOut(m: RotationStatus['models'][number]): ModelStatus {
  return {
    digest: m.model.digest,
    modelId: m.model.modelId,
    profile: m.model.profile,
    dimensions: m.model.dimensions,
    role: m.role,
    vectors: m.vectors,
    pending: m.pending,
    failed: m.failed,
    coverage: m.coverage,
    passagesPerSecond: m.perSecond,
  };
}

export function rotationStatusOut(s: RotationStatus): RotationStatusResponse {
  return {
    models: s.models.map(modelStatusOut),
    passages: s.passages,
    currentDigest: s.serving.current?.digest ?? '',
    nextDigest: s.serving.next?.digest ?? '',
    previousDigest: s.serving.previous?.digest ?? '',
    cutoverReady: s.cutoverReady,
    generation: s.serving.generation,
  };
}
