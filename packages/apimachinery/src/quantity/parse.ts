/**
 * Splitting a quantity string into number and suffix, and reading the
 * suffix, exactly as k8s.io/apimachinery/pkg/api/resource does (including its
 * leniencies: `1.` and `.5` are numbers, `+1` keeps its sign). The error
 * messages are Kubernetes'.
 */

/** How a quantity was written, and so how it prints. */
export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export const QUANTITY_SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_SPLIT_RE}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

/** A quantity string Kubernetes would reject; the message is Kubernetes' own. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

export interface QuantityParts {
  positive: boolean;
  /** The number as written, sign included (e.g. `-1.5`), without the suffix. */
  value: string;
  /** Integer digits without leading zeros (`0` if none). */
  num: string;
  /** Fraction digits. */
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const SUFFIX_CHARS = 'eEinumkKMGTP';

/** resource.parseQuantityString: throws {@link QuantityParseError} (format) when no number/suffix split exists. */
export function parseQuantityString(str: string): QuantityParts {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end && (str[0] === '-' || str[0] === '+')) {
    positive = str[0] !== '-';
    pos++;
  }
  // Leading zeros.
  for (;;) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] !== '0') break;
    pos++;
  }
  // Integer digits.
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  let num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  // Fraction digits.
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
    denom = str.slice(pos, i);
    pos = i;
  }
  const value = str.slice(0, pos);
  // Suffix: letters, then an optional sign and digits.
  const suffixStart = pos;
  i = pos;
  while (i < end && SUFFIX_CHARS.includes(str[i]!)) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  throw new QuantityParseError(ERR_FORMAT_WRONG);
}

export interface SuffixMeaning {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** The suffix printed for a power of ten in DecimalSI form; none for other powers (Kubernetes prints no suffix then). */
export const DECIMAL_SUFFIX_FOR_EXPONENT: ReadonlyMap<number, string> = new Map(
  Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]),
);
/** The suffix printed for a power of two in BinarySI form. */
export const BINARY_SUFFIX_FOR_EXPONENT: ReadonlyMap<number, string> = new Map(
  Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]),
);

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** What a suffix means: `Ki` is 2^10 BinarySI, `m` 10^-3 DecimalSI, `e3` 10^3 DecimalExponent; undefined if none. */
export function interpretSuffix(suffix: string): SuffixMeaning | undefined {
  if (has(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (has(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const parsed = BigInt(rest);
    if (parsed < -(2n ** 63n) || parsed >= 2n ** 63n) return undefined;
    // Kubernetes keeps the exponent as an int32, wrapping larger values.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

/**
 * A decimal number as written (`-1.5`, `+.5`, `2.`) as unscaled digits and a
 * power of ten; undefined if it is not one (Kubernetes' "numeric" error).
 */
export function parseDecimal(s: string): { unscaled: bigint; exp: number } | undefined {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(s);
  if (!m) return undefined;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart.length + frac.length === 0) return undefined;
  const digits = BigInt(intPart + frac);
  return { unscaled: m[1] === '-' ? -digits : digits, exp: frac.length === 0 ? 0 : -frac.length };
}
