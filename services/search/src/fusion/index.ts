export * from './types.js';
export * from './rrf.js';
export * from './weighted.js';
