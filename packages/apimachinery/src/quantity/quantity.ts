/**
 * Kubernetes' resource.Quantity: `100m`, `0.5`, `512Ki`, `5Gi`, `1e3`...
 * parsed, compared and printed exactly as k8s.io/apimachinery/pkg/api/resource
 * does, so objects read back from kubelab show what a real apiserver shows
 * (`0.5` -> `500m`, `1024Mi` -> `1Gi`, `1.5Gi` -> `1536Mi`, `100m` kept).
 * Values are held exactly: a bigint times a power of ten.
 */
import {
  BINARY_SUFFIX_FOR_EXPONENT,
  DECIMAL_SUFFIX_FOR_EXPONENT,
  ERR_FORMAT_WRONG,
  ERR_NUMERIC,
  ERR_SUFFIX,
  interpretSuffix,
  parseDecimal,
  parseQuantityString,
  QuantityParseError,
  type QuantityFormat,
} from './parse';

const MAX_INT64 = 2n ** 63n - 1n;
const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/** `value` (an exact unscaled number at power of ten `exp`) rounded away from zero to power `target` (>= exp). */
function roundUpTo(value: bigint, exp: number, target: number): bigint {
  if (target <= exp) return value * pow10(exp - target);
  const div = pow10(target - exp);
  const q = value / div;
  if (q * div === value) return q;
  return value > 0n ? q + 1n : q - 1n;
}

export class Quantity {
  private constructor(
    /** The value is `unscaled * 10^exp`. */
    private readonly unscaled: bigint,
    private readonly exp: number,
    readonly format: QuantityFormat,
    /** The string as given, kept when Kubernetes would keep it. */
    private readonly cached?: string,
  ) {}

  /**
   * Parses a quantity. Throws {@link QuantityParseError} with Kubernetes'
   * message: `quantities must match the regular expression '...'`,
   * `unable to parse quantity's suffix` or `unable to parse numeric part of quantity`.
   */
  static parse(str: string): Quantity {
    if (str.length === 0) throw new QuantityParseError(ERR_FORMAT_WRONG);
    if (str === '0') return new Quantity(0n, 0, 'DecimalSI', str);
    const { positive, value, num, denom, suffix } = parseQuantityString(str);
    const meaning = interpretSuffix(suffix);
    if (!meaning) throw new QuantityParseError(ERR_SUFFIX);
    const { base, exponent } = meaning;
    let format = meaning.format;

    // Kubernetes' fast path: small enough numbers are held as an int64 with a scale,
    // and the string as written is kept when it is already canonical.
    let precision = 0;
    let scale = 0;
    let mantissa = 1n;
    if (format === 'BinarySI') {
      if (exponent >= 0 && denom.length === 0) {
        mantissa = 1n << BigInt(exponent);
        precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
      } else {
        precision = -1;
      }
    } else {
      scale = exponent;
      precision = 18 - (num.length + denom.length);
    }
    if (precision >= 0) {
      scale -= denom.length;
      if (scale >= -9) {
        const shifted = num + denom;
        const v = BigInt(shifted);
        const product = v * mantissa;
        if (product <= MAX_INT64) {
          const result = positive ? product : -product;
          const keep = format === 'BinarySI'
            ? exponent % 10 === 0 && (v & 7n) !== 0n
            : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
          return new Quantity(result, scale, format, keep ? str : undefined);
        }
      }
    }

    const dec = parseDecimal(value);
    if (!dec) throw new QuantityParseError(ERR_NUMERIC);
    let unscaled = dec.unscaled;
    let exp = dec.exp;
    if (base === 10) exp += exponent;
    else unscaled *= 1n << BigInt(exponent);

    const negative = unscaled < 0n;
    unscaled = abs(unscaled);
    // Anything finer than a nano-unit rounds up to one: asking for some resource gets some.
    if (unscaled !== 0n && exp < -9) {
      unscaled = roundUpTo(unscaled, exp, -9);
      exp = -9;
    }
    if (format === 'BinarySI' && Quantity.compareParts(unscaled, exp, MAX_INT64, 0) > 0) {
      unscaled = MAX_INT64;
      exp = 0;
    }
    if (format === 'BinarySI' && unscaled !== 0n && Quantity.compareParts(unscaled, exp, 1n, 0) < 0) {
      format = 'DecimalSI';
    }
    return new Quantity(negative ? -unscaled : unscaled, exp, format);
  }

  /**
   * A quantity as the apiserver decodes it from a JSON body: a string with
   * surrounding whitespace trimmed, or a JSON number (`cpu: 1`). A number has
   * lost its written form, so `1e3` sent as a number prints as `1k`.
   */
  static fromJSON(raw: string | number): Quantity {
    return Quantity.parse(typeof raw === 'number' ? String(raw) : raw.trim());
  }

  /** Parses, or returns undefined for an invalid quantity. */
  static tryParse(str: string): Quantity | undefined {
    try {
      return Quantity.parse(str);
    } catch (e) {
      if (e instanceof QuantityParseError) return undefined;
      throw e;
    }
  }

  /** `value` base units (resource.NewQuantity), e.g. bytes as BinarySI. */
  static fromValue(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), 0, format);
  }

  /** `milli` thousandths of a unit (resource.NewMilliQuantity), e.g. millicores. */
  static fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli), -3, format);
  }

  /** `value * 10^scale`, DecimalSI (resource.NewScaledQuantity). */
  static fromScaled(value: number | bigint, scale: number): Quantity {
    return new Quantity(BigInt(value), scale, 'DecimalSI');
  }

  private static compareParts(a: bigint, ae: number, b: bigint, be: number): number {
    const e = Math.min(ae, be);
    const x = a * pow10(ae - e);
    const y = b * pow10(be - e);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** -1, 0 or 1. */
  sign(): number {
    return this.unscaled < 0n ? -1 : this.unscaled > 0n ? 1 : 0;
  }

  /** -1, 0 or 1 as this is less than, equal to or more than `other`. */
  cmp(other: Quantity): number {
    return Quantity.compareParts(this.unscaled, this.exp, other.unscaled, other.exp);
  }

  equals(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** The value in base units, rounded away from zero to an integer (Quantity.Value). */
  valueBigInt(): bigint {
    return this.scaledValueBigInt(0);
  }

  /** The value in thousandths, rounded away from zero (Quantity.MilliValue): `0.5` -> 500. */
  milliValueBigInt(): bigint {
    return this.scaledValueBigInt(-3);
  }

  /** The value in units of 10^scale, rounded away from zero (Quantity.ScaledValue). */
  scaledValueBigInt(scale: number): bigint {
    return roundUpTo(this.unscaled, this.exp, scale);
  }

  /** {@link valueBigInt} as a number (exact up to 2^53). */
  value(): number {
    return Number(this.valueBigInt());
  }

  /** {@link milliValueBigInt} as a number (exact up to 2^53). */
  milliValue(): number {
    return Number(this.milliValueBigInt());
  }

  /** The value as a float, possibly inexact. */
  asApproximateFloat64(): number {
    return Number.parseFloat(`${this.unscaled}e${this.exp}`);
  }

  /** The exact value in plain decimal notation: `0.5`, `1073741824`. */
  toDecimalString(): string {
    const neg = this.unscaled < 0n;
    let digits = abs(this.unscaled).toString();
    if (this.exp >= 0) return (neg ? '-' : '') + (digits === '0' ? '0' : digits + '0'.repeat(this.exp));
    const places = -this.exp;
    digits = digits.padStart(places + 1, '0');
    let int = digits.slice(0, digits.length - places);
    let frac = digits.slice(digits.length - places).replace(/0+$/, '');
    if (int === '') int = '0';
    return (neg ? '-' : '') + int + (frac ? `.${frac}` : '');
  }

  /** The sum, in this quantity's format (or the other's when this is zero), as Quantity.Add. */
  add(other: Quantity): Quantity {
    const e = Math.min(this.exp, other.exp);
    const sum = this.unscaled * pow10(this.exp - e) + other.unscaled * pow10(other.exp - e);
    return new Quantity(sum, e, this.isZero() ? other.format : this.format);
  }

  /** The difference, formatted as {@link add}. */
  sub(other: Quantity): Quantity {
    return this.add(other.neg());
  }

  /** The negation, same format. */
  neg(): Quantity {
    return new Quantity(-this.unscaled, this.exp, this.format);
  }

  /**
   * The string Kubernetes stores and prints: the input as written when it was
   * already canonical, otherwise the canonical form in the format's suffix family.
   */
  toString(): string {
    return this.cached ?? this.canonical();
  }

  /** How the quantity serializes in JSON: its string form. */
  toJSON(): string {
    return this.toString();
  }

  /** The canonical form, ignoring how the quantity was written (Quantity.CanonicalizeBytes). */
  canonical(): string {
    if (this.unscaled === 0n) return '0';
    let format = this.format;
    let rounded = 0n;
    if (format === 'BinarySI') {
      if (Quantity.compareParts(abs(this.unscaled), this.exp, 1024n, 0) < 0) {
        format = 'DecimalSI';
      } else {
        rounded = roundUpTo(this.unscaled, this.exp, 0);
        if (Quantity.compareParts(rounded, 0, this.unscaled, this.exp) !== 0) format = 'DecimalSI';
      }
    }
    if (format === 'BinarySI') {
      let v = abs(rounded);
      let times = 0;
      while (v >= 1024n && v % 1024n === 0n) {
        v /= 1024n;
        times++;
      }
      return `${rounded < 0n ? -v : v}${BINARY_SUFFIX_FOR_EXPONENT.get(times * 10) ?? ''}`;
    }
    let m = abs(this.unscaled);
    let e = this.exp;
    while (m >= 10n && m % 10n === 0n) {
      m /= 10n;
      e++;
    }
    while (e % 3 !== 0) {
      m *= 10n;
      e--;
    }
    const number = `${this.unscaled < 0n ? '-' : ''}${m}`;
    if (format === 'DecimalExponent') return e === 0 ? number : `${number}e${e}`;
    // Kubernetes prints no suffix at all for powers of ten beyond E (so 1000E prints as 1).
    return number + (DECIMAL_SUFFIX_FOR_EXPONENT.get(e) ?? '');
  }
}

/** Parses a quantity, throwing {@link QuantityParseError} with Kubernetes' message. */
export function parseQuantity(str: string): Quantity {
  return Quantity.parse(str);
}
