import { type ServiceError, status } from '@grpc/grpc-js';
import { PolysearchEmbedderClient } from '../../shared/client/index.js';
import { InputType, type EmbedRequest, type EmbedResponse, type InfoResponse } from '../../shared/generated/polysearch/embedder/v1/embedder.js';

export { InputType };

/**
 * The typed client (shared/client) as tests use it: one attempt per call, so a
 * test sees exactly the status the server sent (RESOURCE_EXHAUSTED included),
 * and requests may omit fields (an unspecified role must reach the server).
 */
export function embedderClient(port: number) {
  const client = new PolysearchEmbedderClient({ address: `127.0.0.1:${port}`, defaultDeadlineMs: 30_000, retry: { maxAttempts: 1 } });
  return {
    embed(request: Partial<EmbedRequest>, deadlineMs?: number): Promise<EmbedResponse> {
      return client.embed(request.texts ?? [], request.inputType ?? InputType.INPUT_TYPE_UNSPECIFIED, { deadlineMs });
    },
    info: (): Promise<InfoResponse> => client.info(),
    close: () => client.close(),
  };
}

/** Resolves to the error's status code (fails the test if the call succeeded). */
export async function statusOf(call: Promise<unknown>): Promise<{ code: status; details: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}
