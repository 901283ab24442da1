import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import { byteLength, emptyError, inclusiveRangeError, invalidEach, maxLenError, prefixEach, regexError } from './messages';

describe('shared validation sentences', () => {
  it.each([
    [maxLenError(63), 'must be no more than 63 characters'],
    [emptyError(), 'must be non-empty'],
    [inclusiveRangeError(1, 65535), 'must be between 1 and 65535, inclusive'],
    [regexError('bad', '[a-z]+'), "bad (regex used for validation is '[a-z]+')"],
    [regexError('bad', '[a-z]+', 'abc'), "bad (e.g. 'abc', regex used for validation is '[a-z]+')"],
    [regexError('bad', '[a-z]+', 'a', 'b', 'c'), "bad (e.g. 'a',  or 'b',  or 'c', regex used for validation is '[a-z]+')"],
  ])('%s', (got, want) => {
    expect(got).toBe(want);
  });

  it('prefixes and turns messages into field errors', () => {
    expect(prefixEach(['must be non-empty'], 'name part ')).toEqual(['name part must be non-empty']);
    expect(invalidEach(FieldPath.of('x'), 'v', ['m1', 'm2']).map(String)).toEqual([
      'x: Invalid value: "v": m1',
      'x: Invalid value: "v": m2',
    ]);
  });

  it.each([
    ['abc', 3],
    ['é', 2],
    ['😀', 4],
  ])('%j is %d bytes', (s, n) => {
    expect(byteLength(s)).toBe(n);
  });
});
