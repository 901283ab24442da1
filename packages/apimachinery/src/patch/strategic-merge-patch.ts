// Kubernetes' strategic merge patch (`application/strategic-merge-patch+json`), applied the way
// the apiserver applies it (k8s.io/apimachinery strategicpatch.StrategicMergeMapPatch).
//
// It is a JSON merge patch (objects merge key by key, null deletes a key) that knows, from the
// table in patch-meta.ts, which lists merge item by item instead of being replaced, plus the
// directives of strategic-directives.ts. This is what `kubectl apply` (client-side), `kubectl
// edit`, `kubectl set image|env|resources`, `kubectl rollout restart|undo` (for DaemonSets and
// StatefulSets), `kubectl debug` and plain `kubectl patch` send for built-in kinds.
//
// Custom resources have no strategy: Kubernetes answers 415 Unsupported Media Type, and so does
// strategicMergePatch (PatchError code 415) for every kind not in the table. A caller can ask
// strategicMergePatchSupported(kind) first.
//
// Deviations from Kubernetes, all in corner cases kubectl does not produce:
//   - values taken over from the patch are cleaned everywhere alike (see cleanPatchValue);
//   - $deleteFromPrimitiveList removes plain values from any list and ignores anything else;
//   - an empty list with $setElementOrder is kept instead of failing;
//   - fields missing from the table follow the defaults instead of failing (Kubernetes fails
//     only when the live object and the patch both hold a map or list at an unknown field).

import { copyJson, deleteKey, getKey, hasKey, isObject, jsonTypeWord, kindOf, setKey, type JsonObject, type JsonValue } from './json-value';
import { fieldOf, hasPatchRules, ruleAt, type FieldLocation } from './patch-meta';
import { PatchError } from './patch-error';
import {
  applyMapDirective,
  applyRetainKeys,
  cleanPatchValue,
  DELETE_FROM_PRIMITIVE_LIST,
  PATCH_DIRECTIVE,
} from './strategic-directives';
import { invalidDocument } from './strategic-errors';
import { deleteFromPrimitiveList, mergeList } from './strategic-list-merge';
import { applySetElementOrder } from './strategic-set-element-order';

/** Whether strategic merge patch is known for objects of `kind` (false for custom resources). */
export function strategicMergePatchSupported(kind: string): boolean {
  return hasPatchRules(kind);
}

/**
 * Applies a strategic merge patch to a copy of `original` (an object of `kind`, e.g. "Deployment")
 * and returns the copy; the inputs are not changed. `patch` is the decoded request body; a null
 * patch changes nothing.
 * Throws PatchError: 415 for a kind without a strategy (custom resources), 400 for a body that is
 * not a JSON object or a malformed directive, 422 for lists of lists, 500 for the errors
 * Kubernetes does not classify (e.g. a list item without its merge key).
 */
export function strategicMergePatch(original: unknown, patch: unknown, kind: string): JsonObject {
  if (!hasPatchRules(kind)) throw PatchError.unsupportedPatchType();
  if (patch !== null && patch !== undefined && !isObject(patch)) {
    throw PatchError.badRequest(`json: cannot unmarshal ${jsonTypeWord(patch)} into Go value of type map[string]interface {}`);
  }
  const doc = copyJson(original, 'document');
  if (!isObject(doc)) throw invalidDocument();
  if (patch === null || patch === undefined) return doc;
  return mergeMap(doc, copyJson(patch, 'patch') as JsonObject, { kind, path: '' });
}

/**
 * Merges `patch` into the live map `original` at `at`, changing both (they are private copies),
 * and returns the result.
 */
function mergeMap(original: JsonObject, patch: JsonObject, at: FieldLocation): JsonObject {
  if (hasKey(patch, PATCH_DIRECTIVE)) return applyMapDirective(patch);
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, at, mergeMap);
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) deleteFromPrimitiveList(original, key, value);
    else mergeField(original, key, value, at);
  }
  return original;
}

/** Merges the patch value of one field into the live map. */
function mergeField(original: JsonObject, key: string, value: JsonValue, at: FieldLocation): void {
  if (value === null) {
    deleteKey(original, key);
    return;
  }
  const current = getKey(original, key);
  if (current === undefined || kindOf(current) !== kindOf(value)) {
    takeOver(original, key, value);
    return;
  }
  const field = fieldOf(at, key);
  const rule = ruleAt(field);
  if (isObject(current) && isObject(value)) {
    if (rule?.strategy === 'replace') takeOver(original, key, value);
    else setKey(original, key, mergeMap(current, value, field));
  } else if (Array.isArray(current) && Array.isArray(value)) {
    if (rule?.strategy === 'merge') setKey(original, key, mergeList(current, value, rule, field, mergeMap));
    else takeOver(original, key, value);
  } else {
    setKey(original, key, value);
  }
}

/** Stores the patch value as it is (cleaned); a value that cleans away removes the key. */
function takeOver(original: JsonObject, key: string, value: JsonValue): void {
  const cleaned = cleanPatchValue(value);
  if (cleaned === undefined) deleteKey(original, key);
  else setKey(original, key, cleaned);
}
