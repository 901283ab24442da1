// JSON merge patch (RFC 7386) as the Kubernetes apiserver applies it for
// `application/merge-patch+json` (evanphx/json-patch v4 MergePatch):
//   - objects merge key by key, recursively;
//   - a null value deletes the key;
//   - anything else (lists included) replaces the old value whole;
//   - values taken over from the patch lose their null-valued keys, at any depth.
// Kubernetes refuses, with 400 "Invalid JSON Patch", a patch that is null or a plain value
// (string, number, boolean). A list as the whole patch replaces the whole document.

import { copyJson, deleteKey, getKey, isObject, setKey, type JsonObject, type JsonValue } from './json-value';
import { PatchError } from './patch-error';

/** The message Kubernetes answers a patch with when it is not a JSON object (or list). */
export const INVALID_MERGE_PATCH_MESSAGE = 'Invalid JSON Patch';

/**
 * Applies an RFC 7386 merge patch to a copy of `document` and returns the copy; the inputs are
 * not changed. Throws PatchError (400) when the patch is not an object or list.
 */
export function applyMergePatch(document: unknown, patch: unknown): JsonValue {
  if (!isObject(patch) && !Array.isArray(patch)) throw PatchError.badRequest(INVALID_MERGE_PATCH_MESSAGE);
  const patchCopy = copyJson(patch, 'patch');
  if (!isObject(patchCopy)) return withoutNulls(patchCopy);
  const doc = copyJson(document, 'document');
  return mergeInto(isObject(doc) ? doc : {}, patchCopy);
}

/** Merges `patch` into `target` in place and returns it. */
function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (value === null) {
      deleteKey(target, key);
      continue;
    }
    const current = getKey(target, key);
    if (isObject(value) && isObject(current)) {
      mergeInto(current, value);
    } else {
      setKey(target, key, withoutNulls(value));
    }
  }
  return target;
}

/**
 * Drops null-valued object keys at any depth (lists keep their null items), which is what
 * merging a patch value into "nothing" does.
 */
export function withoutNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  for (const key of Object.keys(value)) {
    const item = value[key] as JsonValue;
    if (item === null) deleteKey(value, key);
    else setKey(value, key, withoutNulls(item));
  }
  return value;
}
