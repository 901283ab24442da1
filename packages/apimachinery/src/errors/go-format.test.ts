import { describe, expect, it } from 'vitest';
import { formatBadValue, goFormatNumber, goJson, goQuote } from './go-format';

describe('goQuote (Go %q)', () => {
  it.each([
    ['Bad_Name', '"Bad_Name"'],
    ['', '""'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['tab\there', '"tab\\there"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['bell\x07', '"bell\\a"'],
    ['nul\x00', '"nul\\x00"'],
    ['del\x7f', '"del\\x7f"'],
    ['héllo wörld', '"héllo wörld"'],
    ['emoji 😀', '"emoji 😀"'],
    ['nbsp\u00a0', '"nbsp\\u00a0"'],
    ['zwsp\u200b', '"zwsp\\u200b"'],
  ])('%j quotes as %s', (input, want) => {
    expect(goQuote(input)).toBe(want);
  });
});

describe('goFormatNumber (Go %v)', () => {
  it.each([
    [0, '0'],
    [70000, '70000'],
    [-1, '-1'],
    [1.5, '1.5'],
    [0.00001, '1e-05'],
    [1234567.5, '1.2345675e+06'],
    [1e21, '1e+21'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ])('%d prints as %s', (n, want) => {
    expect(goFormatNumber(n)).toBe(want);
  });
});

describe('formatBadValue', () => {
  it.each([
    ['a string', 'x', '"x"'],
    ['a number', 0, '0'],
    ['a bigint', 12n, '12'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'null'],
    ['a list', ['a', 'b'], '["a","b"]'],
    ['an empty list', [], '[]'],
    ['an object', { a: 1 }, '{"a":1}'],
    ['HTML characters', ['<a&b>'], '["\\u003ca\\u0026b\\u003e"]'],
  ])('%s', (_what, value, want) => {
    expect(formatBadValue(value)).toBe(want);
  });

  it('uses toJSON like encoding/json uses MarshalJSON', () => {
    expect(goJson({ toJSON: () => '500m' })).toBe('"500m"');
  });
});
