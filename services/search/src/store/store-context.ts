import { invalidArgument } from '../../../../shared/errors.js';
import { resolveChunkerOptions, type ChunkerOptions } from '../passages/chunker.js';
import type { Db } from './db.js';
import { quoteIdent } from './identifiers.js';
import { DEFAULT_DIMS } from './migrations.js';

/** Knobs the service passes (from its environment) to every store function. */
export interface StoreConfig {
  /** Schema of the search tables; /^[a-z_][a-z0-9_]{0,62}$/ (default "polysearch"). */
  schema?: string;
  /** Embedding dimensions (default 384, multilingual-e5-small). */
  dims?: number;
  /** HNSW build parameters, used by migrations when the index is created. */
  hnswM?: number;
  hnswEfConstruction?: number;
  /** Default hnsw.ef_search per query (DEFAULT_EF_SEARCH); a request may override it. */
  efSearch?: number;
  /** Upper bound on tuples an iterative HNSW scan visits for a filtered query (pgvector default 20000). */
  maxScanTuples?: number;
  chunker?: ChunkerOptions;
}

export interface StoreContext {
  readonly db: Db;
  readonly schema: string;
  /** Quoted schema, safe to interpolate: `${ctx.s}.documents`. */
  readonly s: string;
  readonly dims: number;
  readonly efSearch: number;
  readonly maxScanTuples: number;
  readonly hnswM: number | undefined;
  readonly hnswEfConstruction: number | undefined;
  readonly chunker: Required<ChunkerOptions>;
}

export const DEFAULT_SCHEMA = 'polysearch';
/**
 * Not pgvector's 40: with tenant and metadata filters a small list makes
 * iterative scans restart more often, so 100 was both faster and more
 * accurate in `npm run bench:search` (100k clustered vectors: unfiltered
 * recall@10 0.93 → 0.98, large-tenant p90 45 → 27 ms). HNSW_EF_SEARCH
 * overrides it per deployment.
 */
export const DEFAULT_EF_SEARCH = 100;
export const DEFAULT_MAX_SCAN_TUPLES = 20_000;

export function createStoreContext(db: Db, config: StoreConfig = {}): StoreContext {
  const schema = config.schema ?? DEFAULT_SCHEMA;
  const efSearch = config.efSearch ?? DEFAULT_EF_SEARCH;
  assertEfSearch(efSearch);
  const maxScanTuples = config.maxScanTuples ?? DEFAULT_MAX_SCAN_TUPLES;
  if (!Number.isInteger(maxScanTuples) || maxScanTuples < 1) {
    throw invalidArgument('maxScanTuples must be a positive integer', 'invalid_store_config');
  }
  const dims = config.dims ?? DEFAULT_DIMS;
  if (!Number.isInteger(dims) || dims < 1 || dims > 2000) throw invalidArgument('dims must be an integer in 1..2000', 'invalid_store_config');
  return Object.freeze({
    db,
    schema,
    s: quoteIdent(schema),
    dims,
    efSearch,
    maxScanTuples,
    hnswM: config.hnswM,
    hnswEfConstruction: config.hnswEfConstruction,
    chunker: resolveChunkerOptions(config.chunker),
  });
}

export function assertEfSearch(efSearch: number): void {
  if (!Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000) {
    throw invalidArgument('ef_search must be an integer in 1..1000', 'invalid_ef_search');
  }
}
