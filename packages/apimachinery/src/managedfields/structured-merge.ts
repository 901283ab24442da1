import { fieldOf, itemsOf, type FieldLocation } from '../patch/patch-meta';
import { copyJson, deleteKey, getKey, isObject, setKey, type JsonObject, type JsonValue } from '../patch/json-value';
import { listItemKeys } from './fields-v1';

/**
 * An applied configuration merged into the live object, as server-side apply merges them
 * (structured-merge-diff's merge), not as a strategic merge patch: a list merged by key matches
 * its items by all of its list-map keys (a Service port by port and protocol), the keys its field
 * sets use. Maps merge key by key, atomic lists and values are replaced, and a null in the
 * configuration removes the field. Inputs are not changed.
 */
export function mergeApplied(live: JsonObject, config: JsonObject, kind: string): JsonObject {
  return mergeValue(copyJson(live), config, { kind, path: '' }) as JsonObject;
}

/** `live` is a copy of the caller's to build on; `config` is copied where it is taken. */
function mergeValue(live: JsonValue | undefined, config: JsonValue, at: FieldLocation): JsonValue {
  if (isObject(config)) {
    // The live object's fields stay in their order (an unchanged object is written unchanged).
    const out = isObject(live) ? live : {};
    for (const [name, value] of Object.entries(config)) {
      if (value === null) deleteKey(out, name);
      else setKey(out, name, mergeValue(getKey(out, name), value, fieldOf(at, name)));
    }
    return out;
  }
  if (Array.isArray(config)) {
    const keyOf = listItemKeys(at);
    if (keyOf && Array.isArray(live)) return mergeList(live, config, keyOf, itemsOf(at));
    if (keyOf) return config.map((item) => mergeValue(undefined, item, itemsOf(at)));
  }
  return copyJson(config);
}

/**
 * Items the configuration does not list keep their place; the ones it lists (merged with the live
 * item of the same key) come in its order, a shared item where the live list had the first of
 * them still to place, as structured-merge-diff orders a merged list.
 */
function mergeList(live: JsonValue[], config: JsonValue[], keyOf: (item: JsonValue) => string, at: FieldLocation): JsonValue[] {
  const liveKeys = live.map(keyOf);
  const configKeys = config.map(keyOf);
  const liveByKey = new Map<string, JsonValue>();
  for (let i = live.length - 1; i >= 0; i--) liveByKey.set(liveKeys[i]!, live[i]!); // the first of duplicates
  const inConfig = new Set(configKeys);
  const shared = configKeys.filter((key) => liveByKey.has(key));
  const placed = new Set<string>();
  const out: JsonValue[] = [];
  let l = 0;
  let r = 0;
  let s = 0;
  while (l < live.length || r < config.length) {
    if (l < live.length) {
      const key = liveKeys[l]!;
      if (!inConfig.has(key)) {
        out.push(live[l]!);
        l++;
        continue;
      }
      // Placed already, or placed later in the configuration's order (a duplicate goes too).
      if (placed.has(key) || key !== shared[s]) {
        l++;
        continue;
      }
    }
    if (r >= config.length) break; // (every live item left was placed)
    const key = configKeys[r]!;
    out.push(mergeValue(liveByKey.get(key), config[r]!, at));
    placed.add(key);
    if (key === shared[s]) s++;
    r++;
  }
  return out;
}
