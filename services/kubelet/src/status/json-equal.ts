/**
 * Whether two values are the same JSON: what `JSON.stringify` would make of them, compared
 * structurally (object key order aside). Fields that are undefined count as absent, as in JSON;
 * a value with toJSON (a Date) compares as what it turns into.
 *
 * The status manager compares every status it is given with the stored one, and the pod workers
 * compare every pod the watch brings with the one before: a round trip through JSON.parse and
 * JSON.stringify plus util.isDeepStrictEqual costs several times this walk.
 */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (hasToJSON(a)) return sameJSON(a.toJSON(), b);
  if (hasToJSON(b)) return sameJSON(a, b.toJSON());
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    // In an array, undefined is written as null.
    for (let i = 0; i < x.length; i++) if (!sameJSON(x[i] ?? null, y[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let inX = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key) || x[key] === undefined || typeof x[key] === 'function') continue;
    inX++;
    if (!Object.hasOwn(y, key) || !sameJSON(x[key], y[key])) return false;
  }
  let inY = 0;
  for (const key in y) if (Object.hasOwn(y, key) && y[key] !== undefined && typeof y[key] !== 'function') inY++;
  return inX === inY;
}

function hasToJSON(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
