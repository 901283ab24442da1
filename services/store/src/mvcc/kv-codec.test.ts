import { describe, expect, it } from 'vitest';
import { decodeKeyValue, encodeKeyValue } from './kv-codec';
import type { KeyValue } from './types';

const kv = (overrides: Partial<KeyValue> = {}): KeyValue => ({
  key: Buffer.from('/registry/pods/default/web'),
  value: Buffer.from('{"kind":"Pod"}'),
  create_revision: 12,
  mod_revision: 40,
  version: 3,
  lease: '0',
  ...overrides,
});

describe('KeyValue encoding in the backend', () => {
  it.each([
    ['an ordinary key-value', kv()],
    ['a tombstone (empty value, zero creation and version)', kv({ value: Buffer.alloc(0), create_revision: 0, version: 0 })],
    ['binary key and value bytes', kv({ key: Buffer.from([0x00, 0xff, 0x80]), value: Buffer.from([0xff, 0x00, 0x00]) })],
    ['a 64-bit lease above 2^53', kv({ lease: '7587862184331563265' })],
    ['a negative lease ID (int64)', kv({ lease: '-9223372036854775808' })],
    ['revisions up to 2^53 - 1', kv({ create_revision: Number.MAX_SAFE_INTEGER, mod_revision: Number.MAX_SAFE_INTEGER, version: 2 ** 40 })],
  ])('round-trips %s', (_, original) => {
    const bytes = encodeKeyValue(original);
    expect(bytes).toHaveLength(36 + original.key.length + original.value.length);
    expect(decodeKeyValue(bytes)).toEqual(original);
  });

  it('round-trips a large value (1.5 MB, the default request limit)', () => {
    const value = Buffer.alloc(1_500_000, 0x61);
    value[value.length - 1] = 0x7a;
    const decoded = decodeKeyValue(encodeKeyValue(kv({ value })));
    // Buffer.equals: a deep toEqual over 1.5 million bytes is needlessly slow.
    expect(decoded.value.equals(value)).toBe(true);
    expect(decoded.key.toString()).toBe('/registry/pods/default/web');
  });

  it('the decoded buffers do not share memory with the stored bytes', () => {
    const bytes = encodeKeyValue(kv());
    const decoded = decodeKeyValue(bytes);
    bytes.fill(0);
    expect(decoded.value.toString()).toBe('{"kind":"Pod"}');
  });

  it('refuses bytes shorter than the header', () => {
    expect(() => decodeKeyValue(Buffer.alloc(35))).toThrow('mvcc: stored value is too short (35 bytes)');
  });
});
