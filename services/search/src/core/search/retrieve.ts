import { isPolysearchError, type PolysearchError } from '../../../../../shared/errors.js';
import type { Candidate, ModelRef, QueryEmbedder, QueryVectorCache, SearchIndex } from './ports.js';
import type { Mode, SearchQuery } from './query.js';

export interface Retrieved {
  /** Undefined when the semantic side did not run. */
  semantic: Candidate[] | undefined;
  /** Undefined when the keyword side did not run. */
  keyword: Candidate[] | undefined;
  /** What actually answered: keyword when a semantic request had no query vector. */
  modeUsed: Mode;
  /** Why the answer is not what was asked for ('' when it is). */
  degradedReason: string;
  /** The machine-readable cause of degradation, for metrics. */
  degradedCause: string | undefined;
  cacheHit: boolean;
  /** The model of the query vector, when there was one. */
  model: ModelRef | undefined;
}

export interface RetrieveDeps {
  index: SearchIndex;
  embedder: QueryEmbedder;
  cache: QueryVectorCache;
  /** Observes each embedder call: 'ok' or the reason it failed. */
  onEmbed?: (outcome: string) => void;
}

type QueryVector = { vector: number[]; model: ModelRef; cacheHit: boolean } | { error: PolysearchError };

/**
 * Stage 1: fetch each side's candidate list, `depth` documents deep. A
 * semantic or hybrid request without a query vector (embedder down, slow or
 * overloaded, and nothing cached) is answered by keyword and says so; it
 * never fails for that reason.
 */
export async function retrieve(query: SearchQuery, depth: number, deps: RetrieveDeps): Promise<Retrieved> {
  const filters = query.filters;
  const keyword = () => deps.index.keyword({ tenantId: query.tenantId, text: query.text, filters, depth });
  if (query.mode === 'keyword') {
    return { semantic: undefined, keyword: await keyword(), modeUsed: 'keyword', degradedReason: '', degradedCause: undefined, cacheHit: false, model: undefined };
  }
  const qv = await queryVector(query.text, deps);
  if ('error' in qv) {
    return {
      semantic: undefined,
      keyword: await keyword(),
      modeUsed: 'keyword',
      degradedReason: `embedder unavailable (${qv.error.reason}); answered by keyword search`,
      degradedCause: qv.error.reason,
      cacheHit: false,
      model: undefined,
    };
  }
  const semantic = () =>
    deps.index.semantic({ tenantId: query.tenantId, vector: qv.vector, model: qv.model, filters, depth, efSearch: query.efSearch });
  const [sem, kw] = query.mode === 'semantic' ? [await semantic(), undefined] : await Promise.all([semantic(), keyword()]);
  return { semantic: sem, keyword: kw, modeUsed: query.mode, degradedReason: '', degradedCause: undefined, cacheHit: qv.cacheHit, model: qv.model };
}

/** From the cache when possible (also while the embedder is down), else from the embedder. */
async function queryVector(text: string, deps: RetrieveDeps): Promise<QueryVector> {
  const known = deps.embedder.currentModel;
  if (known) {
    const cached = deps.cache.get(known.digest, text);
    if (cached) return { vector: cached, model: known, cacheHit: true };
  }
  try {
    const { vector, model } = await deps.embedder.embedQuery(text);
    deps.onEmbed?.('ok');
    deps.cache.set(model.digest, text, vector);
    return { vector, model, cacheHit: false };
  } catch (err) {
    if (isPolysearchError(err) && err.kind === 'unavailable') {
      deps.onEmbed?.(err.reason);
      return { error: err };
    }
    throw err;
  }
}
