// The order of a merged list, as Kubernetes' strategic merge patch sets it.
//
// A merged list is split in two: the items the patch (or its $setElementOrder list) names, and
// the "server-only" items it does not. Each part keeps the order it has in its own source (the
// patch, or the live list). The two parts are then interleaved: a server-only item goes first
// only while it stands, in the live list, before the next patch item; an item the live list
// does not have yet goes as soon as its turn comes. So `kubectl patch` adding a container
// without $setElementOrder puts it first, and `kubectl apply` (which sends $setElementOrder)
// gets exactly the order of the file.

import { getKey, hasKey, isObject, type JsonValue } from './json-value';
import { PATCH_DIRECTIVE } from './strategic-directives';
import { noMergeKey, notAMap, wrongKind } from './strategic-errors';

/** What the items of a list are: objects merged by key, or plain values (strings, numbers...). */
export type ItemKind = 'map' | 'plain';

/** Splits `merged` into the items present in `by` and the others ("server-only"), keeping order. */
export function splitByPresence(
  merged: JsonValue[],
  by: JsonValue[],
  mergeKey: string,
): { named: JsonValue[]; serverOnly: JsonValue[] } {
  const named: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  if (mergeKey === '') {
    const present = new Set<JsonValue>(by);
    for (const item of merged) (present.has(item) ? named : serverOnly).push(item);
    return { named, serverOnly };
  }
  for (const item of merged) {
    if (!isObject(item)) throw wrongKind('map', item);
    if (!hasKey(item, mergeKey)) throw noMergeKey(item, mergeKey);
    (indexByKey(by, mergeKey, item[mergeKey] as JsonValue) >= 0 ? named : serverOnly).push(item);
  }
  return { named, serverOnly };
}

/** The index of the first object of `list` whose `mergeKey` is `value`; -1 if none. */
export function indexByKey(list: JsonValue[], mergeKey: string, value: JsonValue): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as JsonValue;
    if (!isObject(item)) throw notAMap(i);
    if (hasKey(item, mergeKey) && item[mergeKey] === value) return i;
  }
  return -1;
}

/**
 * Puts the named items in the order of `namedOrder` and the server-only items in the order of
 * `serverOrder` (the live list), then interleaves them as the file comment says.
 */
export function orderMergedList(
  named: JsonValue[],
  serverOnly: JsonValue[],
  namedOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: ItemKind,
): JsonValue[] {
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const right = sortByOrder(named, namedOrder, mergeKey, kind);
  const livePosition = positions(serverOrder, mergeKey);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) {
      out.push(right[j++] as JsonValue);
    } else if (j >= right.length) {
      out.push(left[i++] as JsonValue);
    } else {
      const l = livePosition.get(identity(left[i] as JsonValue, mergeKey));
      const r = livePosition.get(identity(right[j] as JsonValue, mergeKey));
      if (l !== undefined && r !== undefined && l < r) out.push(left[i++] as JsonValue);
      else out.push(right[j++] as JsonValue);
    }
  }
  return out;
}

/**
 * A stable sort of `items` by their place in `order` (items not in it go last). For lists of
 * objects every item of both lists must be an object with the merge key, and items marked
 * `$patch: delete` go last.
 */
function sortByOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, kind: ItemKind): JsonValue[] {
  let toSort = items;
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    for (const item of [...items, ...order]) {
      if (!isObject(item)) throw wrongKind('map', item);
      if (!hasKey(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
    const isDelete = (item: JsonValue): boolean => isObject(item) && getKey(item, PATCH_DIRECTIVE) === 'delete';
    toSort = items.filter((item) => !isDelete(item));
    toDelete = items.filter(isDelete);
  }
  const position = positions(order, mergeKey);
  const rank = (item: JsonValue): number => position.get(identity(item, mergeKey)) ?? Number.POSITIVE_INFINITY;
  const sorted = toSort
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((a, b) => (a.rank === b.rank ? a.index - b.index : a.rank < b.rank ? -1 : 1))
    .map(({ item }) => item);
  return [...sorted, ...toDelete];
}

/** The first position of each item of `list`, by its identity. */
function positions(list: JsonValue[], mergeKey: string): Map<unknown, number> {
  const found = new Map<unknown, number>();
  list.forEach((item, index) => {
    const id = identity(item, mergeKey);
    if (!found.has(id)) found.set(id, index);
  });
  return found;
}

/** What identifies an item: its merge key's value for objects of a keyed list, else itself. */
function identity(item: JsonValue, mergeKey: string): unknown {
  if (mergeKey === '') return item;
  return isObject(item) ? (getKey(item, mergeKey) ?? null) : null;
}
