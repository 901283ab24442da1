const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration ("500ms", "10s", "1m30s", "2h") into milliseconds, as the flags of
 * Kubernetes and etcd spell durations. Throws on anything else.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) throw new Error(`invalid duration "${text}": use a number with a unit, e.g. 500ms, 10s, 5m, 1h`);
    total += Number(match[1]) * UNITS[match[2]!]!;
    at = part.lastIndex;
  }
  if (trimmed.length === 0) throw new Error('invalid duration ""');
  return total;
}
