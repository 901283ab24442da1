import { describe, expect, it } from 'vitest';
import { ERR_FORMAT_WRONG, QuantityParseError } from './parse';
import { parseQuantity, Quantity } from './quantity';

describe('Quantity.parse and toString', () => {
  // Every row is what kubectl v1.32 printed after parsing the input as a resource limit
  // (`kubectl set resources --local --limits=memory=<input> -o jsonpath=...`).
  it.each([
    ["0", "0"],
    ["1", "1"],
    ["0.5", "500m"],
    ["1024Mi", "1Gi"],
    ["1e3", "1e3"],
    ["10e2", "1e3"],
    ["+1", "+1"],
    ["1000m", "1"],
    ["1.5Gi", "1536Mi"],
    ["0.1Ki", "102400m"],
    ["0.5Ki", "512"],
    ["1000E", "1"],
    ["0.1n", "1n"],
    ["1e-12", "1e-9"],
    ["1Ki", "1Ki"],
    ["1536Mi", "1536Mi"],
    ["5e-3", "5e-3"],
    ["100000E", "100"],
    ["12e12345", "12e12345"],
    ["01", "01"],
    ["001.500", "001.500"],
    [".5", "500m"],
    ["1.", "1."],
    [".", "0"],
    ["-1", "-1"],
    ["-0.5", "-500m"],
    ["-1Gi", "-1Gi"],
    ["-1.5Gi", "-1536Mi"],
    ["+.5", "500m"],
    ["100m", "100m"],
    ["250m", "250m"],
    ["1500m", "1500m"],
    ["2000m", "2"],
    ["0.001", "1m"],
    ["0.0001", "100u"],
    ["1n", "1n"],
    ["1u", "1u"],
    ["1m", "1m"],
    ["1k", "1k"],
    ["1M", "1M"],
    ["1G", "1G"],
    ["1T", "1T"],
    ["1P", "1P"],
    ["1E", "1E"],
    ["2M", "2M"],
    ["512Ki", "512Ki"],
    ["5Gi", "5Gi"],
    ["128Mi", "128Mi"],
    ["1000Ki", "1000Ki"],
    ["1023", "1023"],
    ["1024", "1024"],
    ["1025", "1025"],
    ["1023Ki", "1023Ki"],
    ["0.0000000001", "1n"],
    ["123456789012345678901", "123456789012345678901"],
    ["1234567890123456789", "1234567890123456789"],
    ["999999999999999999", "999999999999999999"],
    ["9223372036854775807", "9223372036854775807"],
    ["9223372036854775808", "9223372036854775808"],
    ["8Ei", "9223372036854775807"],
    ["7Ei", "7Ei"],
    ["16Ei", "9223372036854775807"],
    ["1e18", "1e18"],
    ["1e19", "10e18"],
    ["1e-9", "1e-9"],
    ["1e-10", "1e-9"],
    ["1E3", "1E3"],
    ["2e0", "2e0"],
    ["1.5e3", "1500"],
    ["1.5e-3", "1500e-6"],
    ["0.5e3", "500"],
    ["3Mi", "3Mi"],
    ["3.5Mi", "3584Ki"],
    ["0.5Mi", "512Ki"],
    ["1.25Ki", "1280"],
    ["1000000", "1M"],
    ["1000000000", "1G"],
    ["10", "10"],
    ["100", "100"],
    ["1000", "1k"],
    ["10000", "10k"],
    ["12345", "12345"],
    ["12345m", "12345m"],
    ["0.1", "100m"],
    ["0.01", "10m"],
    ["1.0", "1"],
    ["1.10", "1100m"],
    ["1.100", "1.100"],
    ["1.000", "1"],
    ["1000.000", "1k"],
    ["0.5k", "500"],
    ["1.5k", "1500"],
    ["1500", "1500"],
    ["2.5G", "2500M"],
    ["25e8", "2500e6"],
    ["4e3", "4e3"],
    ["3e1", "30"],
    ["3e2", "300"],
    ["30e1", "300"],
    ["1.23456789", "1234567890n"],
    ["1.234567891", "1.234567891"],
    ["9999Ei", "9223372036854775807"],
    ["1e308", "100e306"],
    ["100Ki", "100Ki"],
    ["1e+3", "1e+3"],
    ["1e-3", "1e-3"],
    ["1e03", "1e03"],
    ["1000n", "1u"],
    ["1000u", "1m"],
    ["1000000u", "1"],
    ["0.000001", "1u"],
    ["100n", "100n"],
    ["1500000000n", "1500m"],
    ["1Mi", "1Mi"],
    ["1048576", "1048576"],
    ["1073741824", "1073741824"],
    ["536870912", "536870912"],
    ["0.25Gi", "256Mi"],
    ["0.3Gi", "322122547200m"],
    ["1.1", "1100m"],
    ["2.5", "2500m"],
    ["33.3333", "33333300u"],
    ["Gi", "0"],
    ["m", "0"],
    ["k", "0"],
    ["-", "0"],
    ["+", "0"],  ])('%j prints as %j', (input, want) => {
    expect(Quantity.parse(input).toString()).toBe(want);
  });

  // The same kubectl v1.32 runs, for inputs it rejected; the empty string is rejected by the same rule.
  it.each([
    ['', ERR_FORMAT_WRONG],
    ["1k0", "unable to parse quantity's suffix"],
    ["1/2", ERR_FORMAT_WRONG],
    ["1Gb", ERR_FORMAT_WRONG],
    ["1 Gi", ERR_FORMAT_WRONG],
    ["1i", "unable to parse quantity's suffix"],
    ["1Kib", ERR_FORMAT_WRONG],
    ["1KI", ERR_FORMAT_WRONG],
    ["1K", "unable to parse quantity's suffix"],
    ["1e", "unable to parse quantity's suffix"],
    ["1e+", "unable to parse quantity's suffix"],
    ["1ee3", "unable to parse quantity's suffix"],
    ["1..2", ERR_FORMAT_WRONG],
    ["1e1.5", ERR_FORMAT_WRONG],
    ["1_000", ERR_FORMAT_WRONG],  ])('%j is rejected with %j', (input, message) => {
    expect(() => Quantity.parse(input)).toThrow(new QuantityParseError(message));
  });

  it('words the format error exactly as Kubernetes does', () => {
    expect(() => parseQuantity('abc')).toThrow(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it.each<[string | number, string]>([
    [' 1Gi ', '1Gi'],
    [1, '1'],
    [0.5, '500m'],
    [1e3, '1k'],
  ])('fromJSON(%j) prints %s', (raw, want) => {
    expect(Quantity.fromJSON(raw).toString()).toBe(want);
  });

  it('tryParse returns undefined instead of throwing', () => {
    expect(Quantity.tryParse('1Gb')).toBeUndefined();
    expect(Quantity.tryParse('1Gi')?.toString()).toBe('1Gi');
  });

  it('serializes to JSON as its string form', () => {
    expect(JSON.stringify({ cpu: Quantity.parse('0.5'), memory: Quantity.parse('1024Mi') })).toBe('{"cpu":"500m","memory":"1Gi"}');
  });
});

describe('Quantity values', () => {
  it.each([
    // input, value (base units, rounded away from zero), milli-value
    ['0.5', 1, 500],
    ['100m', 1, 100],
    ['1.5', 2, 1500],
    ['-1.5', -2, -1500],
    ['0.1m', 1, 1],
    ['1n', 1, 1],
    ['128Mi', 134217728, 134217728000],
    ['1k', 1000, 1000000],
    ['2M', 2000000, 2000000000],
    ['1e3', 1000, 1000000],
    ['0', 0, 0],
  ])('%s has value %d and milli-value %d', (input, value, milli) => {
    const q = Quantity.parse(input);
    expect(q.value()).toBe(value);
    expect(q.milliValue()).toBe(milli);
    expect(q.valueBigInt()).toBe(BigInt(value));
  });

  it.each([
    ['500m', '0.5'],
    ['1Gi', '1073741824'],
    ['-1.5', '-1.5'],
    ['1n', '0.000000001'],
    ['12e3', '12000'],
    ['0', '0'],
  ])('%s is exactly %s', (input, decimal) => {
    expect(Quantity.parse(input).toDecimalString()).toBe(decimal);
  });

  it('approximates as a float', () => {
    expect(Quantity.parse('250m').asApproximateFloat64()).toBe(0.25);
  });
});

describe('Quantity comparison and arithmetic', () => {
  it.each([
    ['1Gi', '1024Mi', 0],
    ['500m', '0.5', 0],
    ['1e3', '1k', 0],
    ['1', '999m', 1],
    ['1k', '1Ki', -1],
    ['-1', '1n', -1],
  ])('cmp(%s, %s) is %d', (a, b, want) => {
    expect(Quantity.parse(a).cmp(Quantity.parse(b))).toBe(want);
    expect(Quantity.parse(a).equals(Quantity.parse(b))).toBe(want === 0);
  });

  it.each([
    ['100m', '200m', '300m'],
    ['1', '500m', '1500m'],
    ['1Gi', '512Mi', '1536Mi'],
    ['0', '1Gi', '1Gi'], // a zero receiver takes the other's format
    ['1Ki', '-1Ki', '0'],
  ])('%s + %s = %s', (a, b, sum) => {
    expect(Quantity.parse(a).add(Quantity.parse(b)).toString()).toBe(sum);
  });

  it('subtracts and negates in the receiver format', () => {
    expect(Quantity.parse('1Gi').sub(Quantity.parse('512Mi')).toString()).toBe('512Mi');
    expect(Quantity.parse('250m').neg().toString()).toBe('-250m');
    expect(Quantity.parse('250m').sign()).toBe(1);
    expect(Quantity.parse('0').isZero()).toBe(true);
  });
});

describe('Quantity constructors', () => {
  it.each([
    [250, '250m'],
    [1000, '1'],
    [1500, '1500m'],
    [0, '0'],
  ])('fromMilli(%d) prints %s', (milli, want) => {
    expect(Quantity.fromMilli(milli).toString()).toBe(want);
  });

  it.each([
    [134217728, '128Mi'],
    [1073741824, '1Gi'],
    [1000000, '1000000'],
    [1023, '1023'],
    [1536 * 1024, '1536Ki'],
  ])('fromValue(%d, BinarySI) prints %s', (bytes, want) => {
    expect(Quantity.fromValue(bytes, 'BinarySI').toString()).toBe(want);
  });

  it('fromScaled builds value * 10^scale in DecimalSI', () => {
    expect(Quantity.fromScaled(5, 6).toString()).toBe('5M');
    expect(Quantity.fromScaled(5, -6).toString()).toBe('5u');
  });
});
