export * from './db.js';
export { sqlState, toPolysearchError } from './db-errors.js';
export { assertSchemaName, quoteIdent } from './identifiers.js';
export * from './migrations.js';
export * from './text-search-config.js';
export * from './store-context.js';
export * from './document-input.js';
export { planUpsert, type UpsertPlanItem, type StoredState } from './document-state.js';
export * from './documents.js';

export * from './backfill.js';
export * from './stats.js';
export * from './search-queries.js';
export * from './semantic-search.js';
export * from './keyword-search.js';
export * from './search-store.js';
export * from './vector-codec.js';
