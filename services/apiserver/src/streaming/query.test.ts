import { describe, expect, it } from 'vitest';
import { queryBool, queryInt } from './query';

describe('query parameters as Kubernetes\' parameter codec reads them', () => {
  it('a boolean is false only when absent, "0" or "false" in any case; anything else, empty included, is true', () => {
    const read = (query: string) => queryBool(new URLSearchParams(query), 'follow');
    expect(read('')).toBe(false);
    for (const value of ['follow=0', 'follow=false', 'follow=FALSE', 'follow=False', 'follow=fAlSe']) expect(read(value)).toBe(false);
    for (const value of ['follow', 'follow=', 'follow=1', 'follow=true', 'follow=t', 'follow=yes', 'follow=no', 'follow=f', 'follow=00']) expect(read(value)).toBe(true);
    // The first value counts.
    expect(read('follow=false&follow=true')).toBe(false);
  });

  it('an integer is strconv.ParseInt\'s, with its error', () => {
    expect(queryInt(new URLSearchParams('tailLines=10'), 'tailLines')).toBe(10);
    expect(queryInt(new URLSearchParams(''), 'tailLines')).toBeUndefined();
    expect(() => queryInt(new URLSearchParams('tailLines=x'), 'tailLines')).toThrow('strconv.ParseInt: parsing "x": invalid syntax');
  });
});
