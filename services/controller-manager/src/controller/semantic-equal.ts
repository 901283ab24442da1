/**
 * apiequality.Semantic.DeepEqual for JSON objects: deep equality where a missing field, null, an
 * empty list and an empty map are the same (what the API's omitempty makes of them on the way
 * through the apiserver), so a controller does not rewrite an object that only differs in form.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => semanticEqual(item, b[i]));
  if (isMap(a) && isMap(b)) {
    // Field by field, a missing field on one side compared as absent: {x: []} and {} are equal.
    for (const key in a) if (Object.hasOwn(a, key) && !semanticEqual(a[key], Object.hasOwn(b, key) ? b[key] : undefined)) return false;
    for (const key in b) if (Object.hasOwn(b, key) && !Object.hasOwn(a, key) && !isEmpty(b[key])) return false;
    return true;
  }
  // Different shapes (or a value and nothing) are equal only when both are nothing.
  return isEmpty(a) && isEmpty(b);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Nothing at all: absent, null, [], or a map of nothing but such. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value).every(isEmpty);
}
