import type { ModelFingerprint } from '../../../../shared/generated/polysearch/embedder/v1/embedder.js';
import type { EmbedderEndpoint } from '../core/rotation/ports.js';
import type { ModelRef } from '../core/search/ports.js';
import { inputRefusal, type EmbedderClient } from './embedder-client.js';

/** The fingerprint an embedder sends, as the core's model reference (its width included: nothing is configured). */
export function modelRefOf(fingerprint: ModelFingerprint, fixture: boolean): ModelRef & { modelId: string } {
  return { digest: fingerprint.digest, profile: fingerprint.profile, dimensions: fingerprint.dimensions, fixture, modelId: fingerprint.modelId };
}

/** A gRPC embedder client as the core's EmbedderEndpoint. */
export function endpointOf(name: string, client: EmbedderClient): EmbedderEndpoint {
  const fixture = () => client.lastKnownInfo?.fixture ?? false;
  return {
    name,
    get model() {
      const fp = client.fingerprint;
      return fp ? modelRefOf(fp, fixture()) : undefined;
    },
    get maxInputs() {
      return client.lastKnownInfo?.maxInputs || 32;
    },
    async probe() {
      const info = await client.info();
      if (!info.model) throw new Error('embedder Info without a model');
      return modelRefOf(info.model, info.fixture);
    },
    async embedQuery(text: string) {
      const { vector, fingerprint } = await client.embedQuery(text);
      return { vector, model: modelRefOf(fingerprint, fixture()) };
    },
    async embedPassages(texts: string[]) {
      const { vectors, fingerprint } = await client.embedPassages(texts);
      return { vectors, model: modelRefOf(fingerprint, fixture()) };
    },
    refusal: inputRefusal,
  };
}
