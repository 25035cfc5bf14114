import { describe, expect, it } from 'vitest';
import { isPolysearchError } from '../../../../shared/errors.js';
import { decodePageToken, encodePageToken, MAX_PAGE_TOKEN_CHARS, requestDigest } from './page-token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** The error decodePageToken throws, or undefined when it returned. */
function decodeError(token: string, digest: string): unknown {
  try {
    decodePageToken(token, digest);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('page tokens', () => {
  const digest = requestDigest(['acme', 'password', 'en']);

  it('round-trips the offset for the same request', () => {
    expect(decodePageToken(encodePageToken(20, digest), digest)).toBe(20);
    expect(decodePageToken('', digest)).toBe(0);
  });

  it('refuses a token of another request or a forged one with INVALID_ARGUMENT', () => {
    const other = requestDigest(['globex', 'password', 'en']);
    expect(() => decodePageToken(encodePageToken(20, digest), other)).toThrow(/different request/);
    expect(() => decodePageToken('not-a-token', digest)).toThrow(/page_token/);
    const negative = Buffer.from(JSON.stringify({ o: -5, d: digest })).toString('base64url');
    expect(() => decodePageToken(negative, digest)).toThrow(/page_token/);
  });

  // Tokens are untrusted bytes: whatever they decode to, the answer is INVALID_ARGUMENT, never a TypeError.
  it.each([
    ['null', b64('null')],
    ['[]', b64('[]')],
    ['"x"', b64('"x"')],
    ['a number', b64('42')],
    ['true', b64('true')],
    ['an array posing as the token', b64(JSON.stringify([{ o: 1, d: 'x' }]))],
    ['an offset that is a string', b64(JSON.stringify({ o: '10', d: 'x' }))],
    ['a huge offset', b64(JSON.stringify({ o: 1e300, d: 'x' }))],
    ['10 KB of garbage', 'A'.repeat(10 * 1024)],
    ['10 KB of encoded garbage', b64('\u0000\u00ff'.repeat(5 * 1024))],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url')],
    ['characters outside base64url', '%%%$$$'],
    ['a NUL', '\u0000'],
  ])('refuses a token encoding %s with INVALID_ARGUMENT', (_name, token) => {
    const err = decodeError(token, digest);
    expect(isPolysearchError(err) && err.kind).toBe('invalid_argument');
    expect((err as Error).message).toMatch(/page_token/);
  });

  it('refuses a token longer than any token it issues without decoding it', () => {
    const long = encodePageToken(20, digest) + 'A'.repeat(MAX_PAGE_TOKEN_CHARS);
    expect(decodeError(long, digest)).toMatchObject({ kind: 'invalid_argument', reason: 'bad_page_token' });
  });
});
