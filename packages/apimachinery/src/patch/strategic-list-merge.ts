// Merging a list whose field has the "merge" strategy (Kubernetes' mergeSlice):
//   - lists of plain values (finalizers) merge as sets: the patch's values are added once;
//   - lists of objects merge by the field's merge key: an item of the patch is merged into the
//     live item with the same key, or added when there is none;
//   - list items carrying `$patch: delete` remove the live item with their key, and an item
//     `{"$patch": "replace"}` makes the rest of the patch list replace the live list.
// The order of the result is set by strategic-list-order.ts.

import { kindOf, type JsonObject, type JsonValue, getKey, hasKey, isObject, setKey } from './json-value';
import { itemsOf, type FieldLocation, type FieldRule } from './patch-meta';
import { cleanPatchValue, DELETE_FROM_PRIMITIVE_LIST, listNameOf, PATCH_DIRECTIVE } from './strategic-directives';
import {
  listMergeDirective,
  listOfLists,
  mixedListItems,
  noMergeKey,
  noMergeKeyForObjects,
  unknownPatchType,
} from './strategic-errors';
import { indexByKey, orderMergedList, splitByPresence, type ItemKind } from './strategic-list-order';

/** Merges the patch of one object into the live object (strategic-merge-patch.ts's mergeMap). */
export type MergeMap = (original: JsonObject, patch: JsonObject, at: FieldLocation) => JsonObject;

/**
 * What the items of the given lists are. All items must be of one kind: a list of lists is a
 * 422 ("lists of lists are not supported"), a mix of kinds a 500. Undefined when all are empty.
 */
export function itemKindOf(lists: JsonValue[][]): ItemKind | undefined {
  let first: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const kind = kindOf(item);
      if (first === undefined) {
        if (kind === 'list') throw listOfLists();
        first = kind;
      } else if (kind !== first) {
        throw mixedListItems(lists);
      }
    }
  }
  if (first === undefined) return undefined;
  return first === 'map' ? 'map' : 'plain';
}

/** Merges `patch` into the live list `original` for a field with the "merge" strategy. */
export function mergeList(
  original: JsonValue[],
  patch: JsonValue[],
  rule: FieldRule,
  at: FieldLocation,
  mergeMap: MergeMap,
): JsonValue[] {
  const kind = itemKindOf([original, patch]);
  if (kind === undefined) return original;
  const mergeKey = kind === 'map' ? (rule.mergeKey ?? '') : '';
  let live = original;
  let items = patch;
  let merged: JsonValue[];
  if (kind === 'plain') {
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') throw noMergeKeyForObjects();
    ({ live, items } = applyItemDirectives(original, patch as JsonObject[], mergeKey));
    merged = mergeItems(live, items, mergeKey, at, mergeMap);
  }
  const { named, serverOnly } = splitByPresence(merged, items, mergeKey);
  return orderMergedList(named, serverOnly, items, live, mergeKey, kind);
}

/**
 * Handles the list items that carry `$patch`. Returns the live list less the deleted items and
 * the patch items left to merge; with `$patch: replace`, the patch items become the live list
 * and nothing is left to merge.
 */
function applyItemDirectives(
  original: JsonValue[],
  patch: JsonObject[],
  mergeKey: string,
): { live: JsonValue[]; items: JsonValue[] } {
  let live = original;
  const items: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!hasKey(item, PATCH_DIRECTIVE)) {
      items.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE];
    if (directive === 'delete') {
      if (!hasKey(item, mergeKey)) throw noMergeKey(item, mergeKey);
      live = withoutKey(live, mergeKey, item[mergeKey] as JsonValue);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw listMergeDirective();
    } else {
      throw unknownPatchType(directive, item);
    }
  }
  if (!replace) return { live, items };
  const replacement = items.map(cleanPatchValue).filter((item): item is JsonValue => item !== undefined);
  return { live: replacement, items: [] };
}

/** `list` less every object whose merge key has `value`. */
function withoutKey(list: JsonValue[], mergeKey: string, value: JsonValue): JsonValue[] {
  let rest = list;
  for (let index = indexByKey(rest, mergeKey, value); index >= 0; index = indexByKey(rest, mergeKey, value)) {
    rest = [...rest.slice(0, index), ...rest.slice(index + 1)];
  }
  return rest;
}

/** Merges each patch item into the live item with the same key, or appends it. */
function mergeItems(
  live: JsonValue[],
  items: JsonValue[],
  mergeKey: string,
  at: FieldLocation,
  mergeMap: MergeMap,
): JsonValue[] {
  const out = [...live];
  for (const item of items as JsonObject[]) {
    if (!hasKey(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const index = indexByKey(out, mergeKey, item[mergeKey] as JsonValue);
    if (index >= 0) {
      out[index] = mergeMap(out[index] as JsonObject, item, itemsOf(at));
    } else {
      const added = cleanPatchValue(item);
      if (added !== undefined) out.push(added);
    }
  }
  return out;
}

/**
 * "$deleteFromPrimitiveList/<list>": removes the listed plain values from the live list.
 * Deviation: Kubernetes only does this right for lists merged as sets; here it works the same
 * on any list of plain values, and a value that is not a list (on either side) does nothing.
 */
export function deleteFromPrimitiveList(original: JsonObject, key: string, values: JsonValue): void {
  const name = listNameOf(key, DELETE_FROM_PRIMITIVE_LIST);
  const live = getKey(original, name);
  if (!Array.isArray(live) || !Array.isArray(values)) return;
  const doomed = new Set(values.filter((value) => !isObject(value) && !Array.isArray(value)));
  setKey(
    original,
    name,
    live.filter((item) => !doomed.has(item)),
  );
}
