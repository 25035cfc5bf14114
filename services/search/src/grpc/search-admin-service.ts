import { unary } from '../../../../shared/grpc/status.js';
import {
  SearchAdminService,
  type CutoverRequest,
  type PurgeModelRequest,
  type PurgeModelResponse,
  type RollbackRequest,
  type RotationStatusRequest,
  type RotationStatusResponse,
  type SearchAdminServer,
} from '../../../../shared/generated/polysearch/search/v1/search.js';
import type { ModelDirectory } from '../core/rotation/model-directory.js';
import { rotationStatusOut } from './model-status.js';

export { SearchAdminService };

/** Operator calls for a model rotation: thin handlers over the model directory. */
export function searchAdminHandlers(models: ModelDirectory): SearchAdminServer {
  return {
    rotationStatus: unary<RotationStatusRequest, RotationStatusResponse>(async () => rotationStatusOut(await models.status())),
    cutover: unary<CutoverRequest, RotationStatusResponse>(async (req) => {
      await models.cutover({ expectDigest: req.expectDigest || undefined, force: req.force });
      return rotationStatusOut(await models.status());
    }),
    rollback: unary<RollbackRequest, RotationStatusResponse>(async () => {
      await models.rollback();
      return rotationStatusOut(await models.status());
    }),
    purgeModel: unary<PurgeModelRequest, PurgeModelResponse>(async (req) => ({ vectorsRemoved: await models.purge(req.digest) })),
  };
}
