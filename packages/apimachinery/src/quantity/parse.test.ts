import { describe, expect, it } from 'vitest';
import {
  BINARY_SUFFIX_FOR_EXPONENT,
  DECIMAL_SUFFIX_FOR_EXPONENT,
  ERR_FORMAT_WRONG,
  interpretSuffix,
  parseDecimal,
  parseQuantityString,
  QuantityParseError,
} from './parse';

describe('parseQuantityString', () => {
  it.each([
    // input, positive, value, num, denom, suffix
    ['100m', true, '100', '100', '', 'm'],
    ['-1.5Gi', false, '-1.5', '1', '5', 'Gi'],
    ['+007', true, '+007', '7', '', ''],
    ['0.5', true, '0.5', '0', '5', ''],
    ['000', true, '0', '0', '', ''],
    ['.5e-3', true, '.5', '0', '5', 'e-3'],
    ['1.', true, '1.', '1', '', ''],
    ['Gi', true, '', '0', '', 'Gi'],
    ['12e12345', true, '12', '12', '', 'e12345'],
  ])('splits %j', (input, positive, value, num, denom, suffix) => {
    expect(parseQuantityString(input)).toEqual({ positive, value, num, denom, suffix });
  });

  it.each(['1.2.3', 'abc', '1 Gi', '1Gb', '1e1.5', '1_000'])('rejects %j with the format error', (input) => {
    expect(() => parseQuantityString(input)).toThrow(new QuantityParseError(ERR_FORMAT_WRONG));
  });
});

describe('interpretSuffix', () => {
  it.each([
    ['', 10, 0, 'DecimalSI'],
    ['n', 10, -9, 'DecimalSI'],
    ['u', 10, -6, 'DecimalSI'],
    ['m', 10, -3, 'DecimalSI'],
    ['k', 10, 3, 'DecimalSI'],
    ['M', 10, 6, 'DecimalSI'],
    ['G', 10, 9, 'DecimalSI'],
    ['T', 10, 12, 'DecimalSI'],
    ['P', 10, 15, 'DecimalSI'],
    ['E', 10, 18, 'DecimalSI'],
    ['Ki', 2, 10, 'BinarySI'],
    ['Mi', 2, 20, 'BinarySI'],
    ['Gi', 2, 30, 'BinarySI'],
    ['Ti', 2, 40, 'BinarySI'],
    ['Pi', 2, 50, 'BinarySI'],
    ['Ei', 2, 60, 'BinarySI'],
    ['e3', 10, 3, 'DecimalExponent'],
    ['E-2', 10, -2, 'DecimalExponent'],
    ['e+4', 10, 4, 'DecimalExponent'],
  ])('%j is %d^%d in %s', (suffix, base, exponent, format) => {
    expect(interpretSuffix(suffix)).toEqual({ base, exponent, format });
  });

  it.each(['K', 'i', 'e', 'ee3', 'Kib', 'e99999999999999999999'])('%j means nothing', (suffix) => {
    expect(interpretSuffix(suffix)).toBeUndefined();
  });

  it('maps exponents back to the suffixes Kubernetes prints', () => {
    expect(DECIMAL_SUFFIX_FOR_EXPONENT.get(-3)).toBe('m');
    expect(DECIMAL_SUFFIX_FOR_EXPONENT.get(0)).toBe('');
    expect(DECIMAL_SUFFIX_FOR_EXPONENT.get(21)).toBeUndefined();
    expect(BINARY_SUFFIX_FOR_EXPONENT.get(30)).toBe('Gi');
  });
});

describe('parseDecimal', () => {
  it.each([
    ['1.5', 15n, -1],
    ['-0.25', -25n, -2],
    ['+.5', 5n, -1],
    ['2.', 2n, 0],
    ['42', 42n, 0],
  ])('%j is %s * 10^%d', (input, unscaled, exp) => {
    expect(parseDecimal(input)).toEqual({ unscaled, exp });
  });

  it.each(['.', '', '1e3', '--1'])('%j is not a decimal', (input) => {
    expect(parseDecimal(input)).toBeUndefined();
  });
});
