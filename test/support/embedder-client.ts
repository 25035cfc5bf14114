import { credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import {
  EmbedderClient,
  InputType,
  type EmbedRequest,
  type EmbedResponse,
  type InfoResponse,
} from '../../shared/generated/polysearch/embedder/v1/embedder.js';

export { InputType };

/** Promise wrapper over the generated client, for tests. */
export function embedderClient(port: number) {
  const client = new EmbedderClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    raw: client,
    embed(request: Partial<EmbedRequest>, deadlineMs = 30_000): Promise<EmbedResponse> {
      return new Promise((resolve, reject) =>
        client.embed(
          { texts: [], inputType: InputType.INPUT_TYPE_UNSPECIFIED, ...request },
          new Metadata(),
          { deadline: Date.now() + deadlineMs },
          (err, res) => (err ? reject(err) : resolve(res)),
        ),
      );
    },
    info(): Promise<InfoResponse> {
      return new Promise((resolve, reject) => client.info({}, (err, res) => (err ? reject(err) : resolve(res))));
    },
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
