import type { ServerUnaryCall } from '@grpc/grpc-js';
import { invalidArgument } from '../../../../shared/errors.js';
import { callDeadline, unary } from '../../../../shared/grpc/status.js';
import {
  EmbedderService,
  InputType,
  type EmbedRequest,
  type EmbedResponse,
  type EmbedderServer,
  type InfoResponse,
} from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import type { EmbedderCore } from '../core/embedder-core.js';
import type { Role } from '../model/profile.js';

export { EmbedderService };

export interface InfoExtras {
  maxInputs: number;
  maxInputBytes: number;
  queueCapacity: number;
  fixture: boolean;
}

function roleOf(inputType: InputType): Role {
  switch (inputType) {
    case InputType.INPUT_TYPE_QUERY:
      return 'query';
    case InputType.INPUT_TYPE_PASSAGE:
      return 'passage';
    default:
      throw invalidArgument(
        'input_type is required: INPUT_TYPE_QUERY for search text, INPUT_TYPE_PASSAGE for documents to index ' +
          '(e5 embeds them with different prefixes; a wrong one silently ruins recall)',
        'input_type_unspecified',
      );
  }
}

/** Cancellation of a gRPC call as an AbortSignal the queue understands. */
function abortSignalOf(call: ServerUnaryCall<unknown, unknown>): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  return controller.signal;
}

/** Thin handlers: validate the transport-level fields, call the core, map the result. */
export function embedderHandlers(core: EmbedderCore, extras: InfoExtras): EmbedderServer {
  return {
    embed: unary<EmbedRequest, EmbedResponse>(async (request, call) => {
      const role = roleOf(request.inputType);
      const results = await core.embed({
        texts: request.texts,
        role,
        deadline: callDeadline(call),
        signal: abortSignalOf(call),
      });
      return {
        embeddings: results.map((r) => ({ values: Array.from(r.values), tokenCount: r.tokenCount, truncated: r.truncated })),
        model: core.fingerprint,
      };
    }),
    info: unary<unknown, InfoResponse>(async () => ({
      model: core.fingerprint,
      maxInputs: extras.maxInputs,
      maxInputBytes: extras.maxInputBytes,
      queueCapacity: extras.queueCapacity,
      fixture: extras.fixture,
    })),
  };
}
