import { createHash } from 'node:crypto';
import { invalidArgument } from '../../../../shared/errors.js';

/**
 * Opaque page tokens: the offset of the next page bound to a digest of the
 * request that produced it, so a token replayed with another query, tenant
 * or filter is refused instead of silently paging something else.
 */
export function requestDigest(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodePageToken(offset: number, digest: string): string {
  return Buffer.from(JSON.stringify({ o: offset, d: digest })).toString('base64url');
}

export function decodePageToken(token: string, digest: string): number {
  if (token === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  // Untrusted bytes: anything but the object we issue is refused the same way.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('page_token is not a token this service issued; send the next_page_token of the previous response', 'bad_page_token');
  }
  const { o, d } = parsed as { o?: unknown; d?: unknown };
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || d !== digest) {
    throw invalidArgument(
      'page_token belongs to a different request: keep tenant, query, locale, mode, limit and filters the same while paging',
      'bad_page_token',
    );
  }
  return o;
}
