import { describe, expect, it } from 'vitest';
import { assertDocumentId, assertTenantId, MAX_ID_CHARS } from './ids.js';

describe('tenant and document ids', () => {
  it.each(['acme', 'Acme Corp', 'tenant-42', 'a/b:c@d.e', 'Mandant äöü', '租户', 'x'.repeat(MAX_ID_CHARS)])('accepts %j', (id) => {
    expect(assertTenantId(id)).toBe(id);
    expect(assertDocumentId(id)).toBe(id);
  });

  it.each([
    ['empty', '', /tenant_id is required/],
    ['blank', '   ', /tenant_id is required/],
    ['a tab only', '\t', /tenant_id is required/],
    ['leading whitespace', ' acme', /must not start or end with whitespace/],
    ['trailing whitespace', 'acme ', /must not start or end with whitespace/],
    ['a newline', 'ac\nme', /control characters/],
    ['a NUL', 'ac\u0000me', /control characters/],
    ['DEL', 'acme\u007f', /control characters/],
    ['an unpaired surrogate', 'ac\ud800me', /unpaired surrogates/],
    ['too long', 'x'.repeat(MAX_ID_CHARS + 1), /at most 512 characters/],
    ['not a string', 42, /tenant_id is required/],
    ['undefined', undefined, /tenant_id is required/],
  ])('refuses a tenant id that is %s with INVALID_ARGUMENT', (_name, id, message) => {
    expect(() => assertTenantId(id)).toThrow(message);
    try {
      assertTenantId(id);
    } catch (err) {
      expect(err).toMatchObject({ kind: 'invalid_argument' });
    }
  });

  it('applies the same rules to document ids and names the field', () => {
    expect(() => assertDocumentId('   ')).toThrow(/^id is required/);
    expect(() => assertDocumentId('a\tb', 'ids[3]')).toThrow(/^ids\[3\] must not contain control characters/);
    expect(() => assertDocumentId(' x')).toThrow(/^id must not start or end with whitespace/);
  });
});
