/**
 * apiequality.Semantic.DeepEqual for JSON objects: deep equality where a missing field, null, an
 * empty list and an empty map are the same (what the API's omitempty makes of them on the way
 * through the apiserver), so a controller does not rewrite an object that only differs in form.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => semanticEqual(item, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const key of keys) if (!semanticEqual(x[key], y[key])) return false;
    return true;
  }
  return a === b;
}

/** Nothing at all: absent, null, [], or a map of nothing but such. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value).every(isEmpty);
}
