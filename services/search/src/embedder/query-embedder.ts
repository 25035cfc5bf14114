import type { ModelFingerprint } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import type { ModelRef, QueryEmbedder } from '../core/search/ports.js';
import type { EmbedderClient } from './embedder-client.js';

/** The fingerprint an embedder sends, as the core's model reference. */
export function modelRefOf(fingerprint: ModelFingerprint, fixture: boolean): ModelRef {
  return { digest: fingerprint.digest, profile: fingerprint.profile, dimensions: fingerprint.dimensions, fixture };
}

/** The gRPC embedder client as the search core's QueryEmbedder. */
export function queryEmbedderOf(client: EmbedderClient): QueryEmbedder {
  const fixture = () => client.lastKnownInfo?.fixture ?? false;
  return {
    get currentModel() {
      const fp = client.fingerprint;
      return fp ? modelRefOf(fp, fixture()) : undefined;
    },
    async embedQuery(text: string) {
      const { vector, fingerprint } = await client.embedQuery(text);
      return { vector, model: modelRefOf(fingerprint, fixture()) };
    },
  };
}
