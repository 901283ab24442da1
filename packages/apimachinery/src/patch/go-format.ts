// Values printed the way Go prints them, so error messages read word for word like the ones
// Kubernetes' apiserver sends (which kubectl shows to the user).
//
// Kubernetes decodes JSON numbers into int64 when they are whole and float64 otherwise, and
// prints maps with fmt's %v: `map[image:nginx name:web]`, keys sorted, no quotes.

import { isObject, type JsonValue } from './json-value';

/** Go's fmt %v of a decoded JSON value. */
export function goValue(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(compareGoStrings);
    return `map[${keys.map((key) => `${key}:${goValue(value[key])}`).join(' ')}]`;
  }
  if (typeof value === 'number') return goNumber(value);
  return String(value);
}

/** Go's fmt %s of a value: like %v for strings, `%!s(type=value)` for anything else. */
export function goString(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '%!s(<nil>)';
  if (typeof value === 'object') return goValue(value);
  return `%!s(${goTypeName(value)}=${goValue(value)})`;
}

/** The name reflect.TypeOf gives a decoded JSON value, as printed with %s. */
export function goTypeName(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '%!s(<nil>)';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'object') return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return typeof value;
}

/** Go sorts map keys by bytes; for the keys Kubernetes objects use, code-unit order is the same. */
function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  // float64 with %v is Go's shortest 'g' form: e-notation when the exponent is < -4 or >= 6.
  const exponent = Math.floor(Math.log10(Math.abs(n)));
  if (exponent < -4 || exponent >= 6) {
    const [digits = '', exp = '0'] = n.toExponential().split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    const magnitude = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${digits}e${sign}${magnitude}`;
  }
  return String(n);
}
