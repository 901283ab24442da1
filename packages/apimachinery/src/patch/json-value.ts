// JSON values as the patch code sees them, and safe ways to read and write plain objects.
//
// Objects here come from JSON.parse, so a key may be "__proto__", "constructor" or "toString".
// Plain `obj[key]` would then read Object.prototype, and `obj[key] = v` with "__proto__" would
// change the prototype instead of adding a key. Every read and write in the patch code goes
// through the helpers below, which only ever touch the object's own keys.

import { PatchError } from './patch-error';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deeper than this, an input is refused rather than risking the call stack. */
export const MAX_DEPTH = 1000;

/** The word Go's encoding/json uses for a JSON value's type in "cannot unmarshal X into ...": bool, number, string, array, object. */
export function jsonTypeWord(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasKey(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** The value at an own key, or undefined when the key is absent. */
export function getKey(obj: JsonObject, key: string): JsonValue | undefined {
  return hasKey(obj, key) ? obj[key] : undefined;
}

export function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function deleteKey(obj: JsonObject, key: string): void {
  if (hasKey(obj, key)) delete obj[key];
}

/**
 * A deep copy of a value made only of JSON parts, so a patch never changes its inputs.
 * Like JSON.stringify: undefined object members are dropped, undefined array items and
 * non-finite numbers become null. Anything else that is not JSON (functions, symbols, big
 * integers, nesting deeper than MAX_DEPTH) is refused with `what` in the message.
 */
export function copyJson(value: unknown, what = 'document', depth = 0): JsonValue {
  if (depth > MAX_DEPTH) {
    throw PatchError.badRequest(`invalid JSON ${what}: nested more than ${MAX_DEPTH} levels deep`);
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (item === undefined ? null : copyJson(item, what, depth + 1)));
  }
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item !== undefined) setKey(out, key, copyJson(item, what, depth + 1));
    }
    return out;
  }
  throw PatchError.badRequest(`invalid JSON ${what}: a ${typeof value} is not a JSON value`);
}

/** Structural equality: same kind, same items in the same order, same keys (in any order). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i] as JsonValue));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasKey(b, key) && jsonEqual(a[key] as JsonValue, b[key] as JsonValue));
  }
  return false;
}

/** The JSON kind of a value: the patch code treats two values of different kinds as unrelated. */
export function kindOf(value: JsonValue): 'null' | 'boolean' | 'number' | 'string' | 'list' | 'map' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return typeof value as 'boolean' | 'number' | 'string';
}
