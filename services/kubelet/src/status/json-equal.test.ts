import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sameJSON } from './json-equal';

const viaJSON = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));

describe('sameJSON', () => {
  it.each<[string, unknown, unknown]>([
    ['equal scalars', 1, 1],
    ['different scalars', 1, 2],
    ['string and number', '1', 1],
    ['null and object', null, {}],
    ['key order does not matter', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }],
    ['a nested difference', { a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } }],
    ['an undefined field is absent', { a: 1, b: undefined }, { a: 1 }],
    ['an undefined field is absent, the other way', { a: 1 }, { a: 1, b: undefined }],
    ['a missing field', { a: 1, b: 2 }, { a: 1 }],
    ['undefined in an array is null', [1, undefined], [1, null]],
    ['arrays of different length', [1, 2], [1, 2, 3]],
    ['an array is not an object', [1], { 0: 1 }],
    ['a Date is its ISO string', { at: new Date('2026-01-01T00:00:00Z') }, { at: '2026-01-01T00:00:00.000Z' }],
    ['a null field is not absent', { a: null }, {}],
    ['pod statuses', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null }] }, { conditions: [{ status: 'True', type: 'Ready', lastProbeTime: null }], phase: 'Running' }],
    ['a changed condition', { conditions: [{ type: 'Ready', status: 'True' }] }, { conditions: [{ type: 'Ready', status: 'False' }] }],
  ])('%s: as a JSON round trip and isDeepStrictEqual say', (_what, a, b) => {
    expect(sameJSON(a, b)).toBe(viaJSON(a, b));
    expect(sameJSON(b, a)).toBe(viaJSON(b, a));
  });
});
