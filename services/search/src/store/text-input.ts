import { assertDocumentId, assertTenantId } from '../core/ids.js';

// String.prototype.toWellFormed is ES2024; the project targets the ES2023 lib.
const LONE_SURROGATE_SOURCE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const LONE_SURROGATE = new RegExp(LONE_SURROGATE_SOURCE);
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE_SOURCE, 'g');

/**
 * PostgreSQL text cannot hold U+0000, and lone UTF-16 surrogates cannot be
 * encoded as UTF-8. Free text (titles, content, queries, metadata) is
 * cleaned instead of rejected: NULs are dropped, lone surrogates become
 * U+FFFD. Keys (tenant and document ids) are rejected instead, because
 * silently changing a key would address another document.
 */
export function cleanText(text: string | undefined | null): string {
  if (text === undefined || text === null) return '';
  const wellFormed = LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE_G, '\uFFFD') : text;
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '') : wellFormed;
}

/**
 * Kept for callers that validate keys by field name; the rules themselves
 * live in core/ids.ts, the one definition every RPC applies.
 */
export function assertKey(name: 'tenant_id' | 'id', value: unknown): string {
  return name === 'tenant_id' ? assertTenantId(value) : assertDocumentId(value);
}
