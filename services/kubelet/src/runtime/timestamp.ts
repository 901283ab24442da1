/**
 * Nanosecond wall-clock timestamps for CRI log lines. Date.now() has milliseconds only; the
 * monotonic high-resolution clock, anchored to the wall clock once, gives the nanoseconds
 * containerd writes.
 */
const wallAnchorNs = BigInt(Date.now()) * 1_000_000n;
const hrAnchorNs = process.hrtime.bigint();

/** Now, in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return wallAnchorNs + (process.hrtime.bigint() - hrAnchorNs);
}

function fraction(ns: bigint): { seconds: string; frac: string } {
  const ms = Number(ns / 1_000_000n);
  const seconds = new Date(ms).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return { seconds, frac };
}

/** Go's time.RFC3339Nano (trailing zeros of the fraction dropped), UTC: what containerd writes in a CRI log line. */
export function formatRFC3339Nano(ns: bigint): string {
  const { seconds, frac } = fraction(ns);
  const trimmed = frac.replace(/0+$/, '');
  return trimmed ? `${seconds}.${trimmed}Z` : `${seconds}Z`;
}

/** The fixed-width RFC3339Nano the kubelet prints for `kubectl logs --timestamps` (always nine digits). */
export function formatRFC3339NanoFixed(ns: bigint): string {
  const { seconds, frac } = fraction(ns);
  return `${seconds}.${frac}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC3339(Nano) timestamp to nanoseconds since the epoch; undefined if malformed. */
export function parseRFC3339Nano(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** A Date (milliseconds) in nanoseconds since the epoch. */
export function dateToNs(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}
