// JSON Pointer (RFC 6901) lookups for JSON Patch, with the behaviour and error texts of the
// JSON Patch library the Kubernetes apiserver uses (evanphx/json-patch, v4 line):
//   - array indexes are read like Go's strconv.Atoi ("+1" and "01" are accepted);
//   - negative indexes count from the end of the array (-1 is the last item);
//   - "-" means "after the last item" for add only.
// Each failing step returns a message string instead of throwing: the operation that called it
// wraps the message into its own sentence, as the library does.

import { deleteKey, getKey, hasKey, isObject, setKey, type JsonObject, type JsonValue } from './json-value';

/** The object or array that holds the value a pointer names, and the last token of the pointer. */
export interface PointerTarget {
  holder: JsonObject | JsonValue[];
  key: string;
}

export const ERR_MISSING = 'missing value';
const ERR_INVALID_INDEX = 'invalid index referenced';

/** A failed step; `message` is the text Kubernetes would show for it. */
export class PointerFailure {
  constructor(readonly message: string) {}
}

/**
 * Walks to the holder of the value at `path`, or returns null when a step on the way is missing,
 * is not an object or array, or `path` is "" (the whole document has no holder).
 * Deviation: evanphx ignores whatever stands before the first "/" ("a/b" acts as "/b"); here a
 * pointer that does not start with "/" is missing, as RFC 6901 says.
 */
export function findHolder(root: JsonValue, path: string): PointerTarget | null {
  if (!path.startsWith('/')) return null;
  const tokens = path.split('/').slice(1).map(decodeToken);
  const key = tokens.pop() as string;
  let holder: JsonValue = root;
  for (const token of tokens) {
    if (!Array.isArray(holder) && !isObject(holder)) return null;
    const next = getValue(holder, token);
    if (next instanceof PointerFailure || next === undefined || next === null) return null;
    holder = next;
  }
  if (!Array.isArray(holder) && !isObject(holder)) return null;
  return { holder, key };
}

/** The value under `key`: undefined for an absent object key, a failure for a bad array index. */
export function getValue(holder: JsonObject | JsonValue[], key: string): JsonValue | undefined | PointerFailure {
  if (!Array.isArray(holder)) return getKey(holder, key);
  const index = arrayIndex(holder, key, holder.length);
  return index instanceof PointerFailure ? index : holder[index];
}

/** Sets the value under an existing key or index (the "replace" step after a successful get). */
export function setValue(holder: JsonObject | JsonValue[], key: string, value: JsonValue): void | PointerFailure {
  if (!Array.isArray(holder)) return setKey(holder, key, value);
  const index = arrayIndex(holder, key, holder.length);
  if (index instanceof PointerFailure) return index;
  holder[index] = value;
}

/** Adds a value: sets an object key, or inserts into an array before `key` ("-" appends). */
export function addValue(holder: JsonObject | JsonValue[], key: string, value: JsonValue): void | PointerFailure {
  if (!Array.isArray(holder)) return setKey(holder, key, value);
  if (key === '-') {
    holder.push(value);
    return;
  }
  const parsed = parseGoInt(key);
  if (parsed instanceof PointerFailure) {
    return new PointerFailure(`value was not a proper array index: '${key}': ${parsed.message}`);
  }
  const index = arrayIndex(holder, key, holder.length + 1);
  if (index instanceof PointerFailure) return index;
  holder.splice(index, 0, value);
}

/** Removes an object key (which must exist) or an array item. */
export function removeValue(holder: JsonObject | JsonValue[], key: string): void | PointerFailure {
  if (!Array.isArray(holder)) {
    if (!hasKey(holder, key)) return new PointerFailure(`Unable to remove nonexistent key: ${key}: ${ERR_MISSING}`);
    return deleteKey(holder, key);
  }
  const index = arrayIndex(holder, key, holder.length);
  if (index instanceof PointerFailure) return index;
  holder.splice(index, 1);
}

/** Reads `key` as an index into a list of `size` places; negative indexes count from the end. */
function arrayIndex(holder: JsonValue[], key: string, size: number): number | PointerFailure {
  const parsed = parseGoInt(key);
  if (parsed instanceof PointerFailure) return parsed;
  if (parsed >= size || parsed < -size) {
    return new PointerFailure(`Unable to access invalid index: ${parsed}: ${ERR_INVALID_INDEX}`);
  }
  return parsed < 0 ? parsed + size : parsed;
}

/** Go's strconv.Atoi on a 64-bit machine, with its error texts. */
function parseGoInt(text: string): number | PointerFailure {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    return new PointerFailure(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    return new PointerFailure(`strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return value === 0 ? 0 : value; // no -0
}

/** RFC 6901: "~1" stands for "/" and "~0" for "~". */
function decodeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}
