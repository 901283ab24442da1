import { describe, expect, it } from 'vitest';
import { toKeyRange } from './key-range';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('toKeyRange (etcd mkGteRange)', () => {
  it.each([
    { key: 'a', rangeEnd: '', expected: { key: 'a', end: undefined }, why: 'no range_end is the single key' },
    { key: 'a', rangeEnd: '\x00', expected: { key: 'a', end: null }, why: 'range_end "\\0" is every key from key on' },
    { key: 'a', rangeEnd: 'b', expected: { key: 'a', end: 'b' }, why: '[key, range_end)' },
    { key: '\x00', rangeEnd: '\x00', expected: { key: '\x00', end: null }, why: 'the whole key space' },
    { key: 'a', rangeEnd: '\x00\x00', expected: { key: 'a', end: '\x00\x00' }, why: 'only a lone zero byte means "to the end"' },
    { key: '\xfe', rangeEnd: '\xff', expected: { key: '\xfe', end: '\xff' }, why: 'high bytes kept one character per byte' },
  ])('$why', ({ key, rangeEnd, expected }) => {
    expect(toKeyRange(b(key), b(rangeEnd))).toEqual(expected);
  });
});
