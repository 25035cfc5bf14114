import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken, requestDigest } from './page-token.js';

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
});
