// "$setElementOrder/<list>": the order the merged list must have. kubectl apply and kubectl set
// send it beside every merging list they change, listing each item (by merge key, or the plain
// value) in the order of the user's file. The list is merged first, then ordered: the items the
// directive names follow its order, the live items it does not name keep their places.

import { deleteKey, getKey, hasKey, isObject, setKey, type JsonObject, type JsonValue } from './json-value';
import { fieldOf, ruleAt, type FieldLocation } from './patch-meta';
import { cleanPatchValue, listNameOf, PATCH_DIRECTIVE, SET_ELEMENT_ORDER } from './strategic-directives';
import { noMergeKey, orderMismatch, wrongKind } from './strategic-errors';
import { itemKindOf, mergeList, type MergeMap } from './strategic-list-merge';
import { orderMergedList, splitByPresence } from './strategic-list-order';

/**
 * Applies every $setElementOrder directive of `patch` to `original`, together with the list it
 * is about; both keys are removed from `patch` so the rest of the merge leaves them alone.
 */
export function applySetElementOrder(original: JsonObject, patch: JsonObject, at: FieldLocation, mergeMap: MergeMap): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key] as JsonValue;
    deleteKey(patch, key);
    if (!Array.isArray(order)) throw wrongKind('list', order);
    const name = listNameOf(key, SET_ELEMENT_ORDER);

    const hasLive = hasKey(original, name);
    const live = getKey(original, name);
    const hasPatchList = hasKey(patch, name);
    const patchList = getKey(patch, name);
    if (hasLive && !Array.isArray(live)) throw wrongKind('list', live);
    if (hasPatchList && !Array.isArray(patchList)) throw wrongKind('list', patchList);
    const liveList = hasLive ? (live as JsonValue[]) : [];
    const patchItems = hasPatchList ? (patchList as JsonValue[]) : [];

    const field = fieldOf(at, name);
    const rule = ruleAt(field);
    const mergeKey = rule?.mergeKey ?? '';
    checkOrder(patchItems, order, mergeKey);

    let merged: JsonValue[];
    if (!hasLive && !hasPatchList) continue;
    if (!hasPatchList) merged = liveList;
    else if (!hasLive || rule?.strategy !== 'merge') merged = cleanPatchValue(patchItems) as JsonValue[];
    else merged = mergeList(liveList, patchItems, rule, field, mergeMap);

    const kind = itemKindOf([liveList, patchItems]);
    deleteKey(patch, name);
    if (kind === undefined) {
      // Kubernetes fails here ("no elements in any of the given slices"); an empty list is kept.
      setKey(original, name, merged);
      continue;
    }
    const { named, serverOnly } = splitByPresence(merged, order, mergeKey);
    setKey(original, name, orderMergedList(named, serverOnly, order, liveList, mergeKey, kind));
  }
}

/**
 * The patch list must name its items in the order of the directive, and only items the
 * directive names (items with `$patch: delete` and other directive items aside).
 */
function checkOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    for (const item of patchList) if (!isObject(item)) throw wrongKind('map', item);
    items = patchList.filter((item) => getKey(item as JsonObject, PATCH_DIRECTIVE) !== 'delete');
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p] as JsonValue;
    if (isObject(item) && hasKey(item, PATCH_DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameItem(item, order[o] as JsonValue, mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) throw orderMismatch(patchList, order);
}

function sameItem(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isObject(left)) throw wrongKind('map', left);
  if (!isObject(right)) throw wrongKind('map', right);
  if (!hasKey(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!hasKey(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}
