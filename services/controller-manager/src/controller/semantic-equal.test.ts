import { describe, expect, it } from 'vitest';
import { semanticEqual } from './semantic-equal';

describe('semanticEqual', () => {
  it.each<{ a: unknown; b: unknown; want: boolean }>([
    { a: { x: 1, y: [1, 2] }, b: { y: [1, 2], x: 1 }, want: true },
    { a: { x: [] }, b: {}, want: true },
    { a: { x: null, y: {} }, b: { x: undefined }, want: true },
    { a: undefined, b: [], want: true },
    { a: { x: '' }, b: {}, want: false },
    { a: [1, 2], b: [2, 1], want: false },
    { a: { x: { y: 1 } }, b: { x: { y: 2 } }, want: false },
    { a: { x: false }, b: {}, want: false },
    { a: [null, { y: [] }], b: [{}, {}], want: true },
    { a: [], b: {}, want: true },
    { a: [1], b: { 0: 1 }, want: false },
    { a: { x: {} }, b: { x: 'x' }, want: false },
    { a: { constructor: 'x' }, b: {}, want: false },
    { a: {}, b: { constructor: 'x' }, want: false },
  ])('$a vs $b: $want', ({ a, b, want }) => {
    expect(semanticEqual(a, b)).toBe(want);
  });
});
