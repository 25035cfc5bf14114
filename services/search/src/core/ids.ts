import { invalidArgument } from '../../../../shared/errors.js';

/**
 * The one definition of a valid tenant id and document id, applied by every
 * RPC (Upsert, Get, Delete, Search, Stats) and again by the store, so a row
 * that Upsert accepts can always be read and deleted by the same id.
 *
 * A valid id:
 * - is a string of 1..512 characters (UTF-16 code units, as stored before);
 * - is not blank, and does not start or end with whitespace ("acme " and
 *   "acme" would be two tenants that look the same in every log and UI);
 * - contains no control characters (C0, DEL, C1: NUL cannot be stored,
 *   newlines and tabs are invisible and split log lines) and no unpaired
 *   UTF-16 surrogates (they cannot be encoded as UTF-8).
 * Everything else is allowed (any script, spaces inside, punctuation such as
 * "/", ":" or "@"). Ids are never trimmed or rewritten: silently changing a
 * key would address another document.
 */
export const MAX_ID_CHARS = 512;

const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertId(field: string, reason: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidArgument(`${field} is required (it is empty or only whitespace)`, `missing_${reason}`);
  }
  const invalid = (rule: string) => invalidArgument(`${field} ${rule}`, `invalid_${reason}`);
  if (value.length > MAX_ID_CHARS) throw invalid(`must be at most ${MAX_ID_CHARS} characters, it has ${value.length}`);
  if (value.trim() !== value) throw invalid('must not start or end with whitespace');
  if (CONTROL.test(value)) throw invalid('must not contain control characters (NUL, tab, newline…)');
  if (LONE_SURROGATE.test(value)) throw invalid('must not contain unpaired surrogates');
  return value;
}

/** Returns the tenant id, or throws INVALID_ARGUMENT saying which rule it breaks. */
export function assertTenantId(value: unknown, field = 'tenant_id'): string {
  return assertId(field, 'tenant_id', value);
}

/** Returns the user id (personalization), or throws INVALID_ARGUMENT: the same rules as every other id. */
export function assertUserId(value: unknown, field = 'user_id'): string {
  return assertId(field, 'user_id', value);
}

/** Returns the document id, or throws INVALID_ARGUMENT naming `field` (e.g. "ids[3]"). */
export function assertDocumentId(value: unknown, field = 'id'): string {
  return assertId(field, 'id', value);
}
