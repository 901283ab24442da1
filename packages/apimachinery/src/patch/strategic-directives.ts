// The directives a strategic merge patch may carry, and the small steps that deal with them:
//   $patch: replace | delete        in a map: replace the map, or empty it;
//                                   in a list item: replace the list, or delete the item by key
//   $retainKeys: [keys]             clear the keys of the live map that are not listed
//   $setElementOrder/<list>: [...]  the order the merged list must follow
//   $deleteFromPrimitiveList/<list> plain values to remove from a list merged as a set

import { deleteKey, getKey, hasKey, isObject, setKey, type JsonObject, type JsonValue } from './json-value';
import { badPrimitiveListFormat, badRetainKeysFormat, badSetElementOrderFormat, unknownPatchType } from './strategic-errors';

export const PATCH_DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const SET_ELEMENT_ORDER = '$setElementOrder';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/**
 * The list a "$setElementOrder/<list>" or "$deleteFromPrimitiveList/<list>" key is about.
 * A key that starts with the prefix but is not followed by "/" is a 400 BadRequest.
 */
export function listNameOf(key: string, prefix: typeof SET_ELEMENT_ORDER | typeof DELETE_FROM_PRIMITIVE_LIST): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER ? badSetElementOrderFormat() : badPrimitiveListFormat();
  }
  return key.slice(slash + 1);
}

/**
 * A map patch that carries "$patch": "replace" gives the patch itself (less the directive) in
 * place of the live map; "delete" gives an empty map. Any other value is an error, "merge"
 * included: Kubernetes documents "merge" only as a field strategy, and refuses it in a patch.
 */
export function applyMapDirective(patch: JsonObject): JsonObject {
  const directive = getKey(patch, PATCH_DIRECTIVE);
  if (directive === 'replace') {
    deleteKey(patch, PATCH_DIRECTIVE);
    return cleanMap(patch);
  }
  if (directive === 'delete') return {};
  throw unknownPatchType(directive, patch);
}

/**
 * "$retainKeys": removes it from the patch, checks that every field the patch sets is listed
 * (else 400 "invalid patch format of retainKeys"), and clears the unlisted keys of `original`.
 */
export function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, RETAIN_KEYS)) return;
  const listed = patch[RETAIN_KEYS];
  deleteKey(patch, RETAIN_KEYS);
  if (!Array.isArray(listed)) throw badRetainKeysFormat();
  const keep = new Set(listed.filter((key): key is string => typeof key === 'string'));
  for (const key of Object.keys(patch)) {
    if (patch[key] === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw badRetainKeysFormat();
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) deleteKey(original, key);
  }
}

/**
 * A patch value taken over as it is (the live object had nothing to merge it with), made fit to
 * store: null-valued keys are dropped, maps that carry "$patch" are dropped, and the keys of the
 * other directives are removed. Returns undefined when the value itself is dropped.
 * Kubernetes drops the nulls and the "$patch" maps too; the directive keys it leaves in are lost
 * anyway when it decodes the result into its typed object, so the stored objects are the same.
 */
export function cleanPatchValue(value: JsonValue): JsonValue | undefined {
  if (Array.isArray(value)) {
    const kept: JsonValue[] = [];
    for (const item of value) {
      const cleaned = cleanPatchValue(item);
      if (cleaned !== undefined) kept.push(cleaned);
    }
    return kept;
  }
  if (!isObject(value)) return value;
  if (hasKey(value, PATCH_DIRECTIVE)) return undefined;
  return cleanMap(value);
}

function cleanMap(map: JsonObject): JsonObject {
  for (const key of Object.keys(map)) {
    const item = map[key] as JsonValue;
    const cleaned = isDirectiveKey(key) || item === null ? undefined : cleanPatchValue(item);
    if (cleaned === undefined) deleteKey(map, key);
    else setKey(map, key, cleaned);
  }
  return map;
}

function isDirectiveKey(key: string): boolean {
  return (
    key === PATCH_DIRECTIVE ||
    key === RETAIN_KEYS ||
    key.startsWith(SET_ELEMENT_ORDER) ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
  );
}
