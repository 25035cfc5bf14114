import { unavailable } from '../../../../../shared/errors.js';
import type { QueryEmbedder } from '../search/ports.js';
import type { ModelDirectory } from './model-directory.js';

/**
 * Query embeddings from whichever configured embedder serves the current
 * model. During a rotation that is the old model's embedder until cutover,
 * then the new one's — on every replica at once, because the choice follows
 * the shared serving row, not the configuration order.
 */
export function servingQueryEmbedder(directory: ModelDirectory): QueryEmbedder {
  return {
    get currentModel() {
      return directory.serving.current;
    },
    async embedQuery(text: string) {
      const current = directory.serving.current;
      const endpoint = directory.endpointFor(current);
      if (!current || !endpoint) {
        throw unavailable(
          current ? `no configured embedder serves the current model ${current.digest}` : 'no model serves queries yet (the embedder has not been reached)',
          current ? 'no_embedder_for_current_model' : 'no_model_yet',
        );
      }
      const { vector, model } = await endpoint.embedQuery(text);
      // The embedder behind the address swapped models since we last looked: its vector is not comparable.
      if (model.digest !== current.digest) throw unavailable('the embedder now serves another model than the current one', 'embedder_model_changed');
      return { vector, model: current };
    },
  };
}
