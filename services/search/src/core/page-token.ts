import { createHash } from 'node:crypto';
import { invalidArgument } from '../../../../shared/errors.js';

/**
 * Opaque page tokens: the offset of the next page bound to a digest of the
 * request that produced it, so a token replayed with another query, tenant
 * or filter is refused instead of silently paging something else.
 *
 * A token comes back from the caller, so it is parsed as untrusted bytes:
 * whatever it holds (another JSON value, garbage, a megabyte of it), the
 * answer is INVALID_ARGUMENT, never an exception of the parser.
 */
export function requestDigest(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** Longer than any token encodePageToken issues (~50 characters), short enough to decode cheaply. */
export const MAX_PAGE_TOKEN_CHARS = 256;

export function encodePageToken(offset: number, digest: string): string {
  return Buffer.from(JSON.stringify({ o: offset, d: digest })).toString('base64url');
}

const NOT_OURS = 'page_token is not a token this service issued; send the next_page_token of the previous response';

export function decodePageToken(token: string, digest: string): number {
  if (token === '') return 0;
  if (token.length > MAX_PAGE_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalidArgument(NOT_OURS, 'bad_page_token');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument(NOT_OURS, 'bad_page_token');
  }
  // null, arrays, strings and numbers are valid JSON too; only our object shape is a token.
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidArgument(NOT_OURS, 'bad_page_token');
  const { o, d } = parsed as { o?: unknown; d?: unknown };
  if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0 || d !== digest) {
    throw invalidArgument(
      'page_token belongs to a different request: keep tenant, query, locale, mode, limit and filters the same while paging',
      'bad_page_token',
    );
  }
  return o;
}
