/**
 * Go's text formatting, as Kubernetes' error messages use it: `%q` for strings
 * (strconv.Quote), `%v` for numbers and booleans, and encoding/json for any
 * other value a field error carries.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Whether Go's unicode.IsPrint would call this code point printable. */
function isGoPrintable(ch: string): boolean {
  return ch === ' ' || PRINTABLE.test(ch);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Go's strconv.Quote (what `%q` prints): double quotes, backslash escapes for
 * quotes, backslashes and control characters, non-printable runes as \x, \u or \U.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go would see the replacement rune.
      out += '\ufffd';
    } else if (isGoPrintable(ch)) {
      out += ch;
    } else if (cp < 0x20 || cp === 0x7f) {
      out += `\\x${hex(cp, 2)}`;
    } else if (cp < 0x10000) {
      out += `\\u${hex(cp, 4)}`;
    } else {
      out += `\\U${hex(cp, 8)}`;
    }
  }
  return out + '"';
}

/**
 * Go's `%v` for a float64 (the shortest representation, `%e` form when the
 * exponent is below -4 or at least 21 for integers, 6 otherwise as Go's %g
 * does for shortest output). Integers print as plain digits, as Go's ints do.
 */
export function goFormatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa = '0', expPart = '0'] = n.toExponential().split('e');
  const exp = Number(expPart);
  if (exp < -4 || exp >= 21 || (!Number.isInteger(n) && exp >= 6)) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** encoding/json's output for a value: HTML-sensitive characters escaped as Go does. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (text === undefined) return 'null';
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * How a field error prints its bad value: strings quoted (`%q`), numbers and
 * booleans plain (`%v`), null and undefined as `null`, anything else as JSON.
 */
export function formatBadValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goFormatNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'null';
  return goJson(value);
}
