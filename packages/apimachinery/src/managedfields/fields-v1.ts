import { fieldOf, itemsOf, ruleAt, type FieldLocation } from '../patch/patch-meta';
import { deleteKey, getKey, isObject, jsonEqual, setKey, type JsonObject, type JsonValue } from '../patch/json-value';

/**
 * A set of fields as managedFields keep it (FieldsV1): a tree whose keys are `f:<field>` (a
 * field of an object), `k:<key as JSON>` (an item of a list merged by key, e.g. a container by
 * name), `v:<value as JSON>` (a value of a list that is a set) and `.` (the list item itself).
 * A node without children is a field owned whole: a value, an atomic list, an empty map.
 */
export type FieldsV1 = { [key: string]: FieldsV1 };

/**
 * Lists that server-side apply keys by more than the strategic merge patch key: a container's
 * ports and a Service's ports by number and protocol (`x-kubernetes-list-map-keys`), the
 * protocol defaulting to TCP. Every other merged list is keyed by its patch merge key.
 */
const LIST_MAP_KEYS: Array<{ suffix: string; keys: string[]; defaults: JsonObject }> = [
  { suffix: 'containers[].ports', keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } },
  { suffix: 'initContainers[].ports', keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } },
  { suffix: 'ephemeralContainers[].ports', keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } },
];
const SERVICE_PORTS = { keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } as JsonObject };

/** Metadata the system sets or identifies the object by: no manager owns it. */
export const UNOWNED_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields']);

/**
 * The fields an object sets, with lists merged by key or as sets where the kind's patch rules say
 * so: those of the object without its status, or (`part` 'status') those of its status alone.
 */
export function fieldSetOf(object: JsonObject, kind: string, part: 'object' | 'status' = 'object'): FieldsV1 {
  const set: FieldsV1 = {};
  const root: FieldLocation = { kind, path: '' };
  if (part === 'status') {
    if (object.status !== undefined && object.status !== null) set['f:status'] = valueSet(object.status, fieldOf(root, 'status'));
    return set;
  }
  for (const [name, value] of Object.entries(object)) {
    if (name === 'apiVersion' || name === 'kind' || name === 'status') continue;
    if (name === 'metadata' && isObject(value)) {
      const meta: FieldsV1 = {};
      for (const [field, v] of Object.entries(value)) if (!UNOWNED_METADATA.has(field)) meta[`f:${field}`] = valueSet(v, fieldOf(fieldOf(root, 'metadata'), field));
      if (Object.keys(meta).length > 0) set['f:metadata'] = meta;
      continue;
    }
    set[`f:${name}`] = valueSet(value, fieldOf(root, name));
  }
  return set;
}

function valueSet(value: JsonValue, at: FieldLocation): FieldsV1 {
  if (isObject(value)) {
    const set: FieldsV1 = {};
    for (const [name, v] of Object.entries(value)) put(set, `f:${name}`, valueSet(v, fieldOf(at, name)));
    return set;
  }
  if (Array.isArray(value)) {
    const keyOf = listItemKeys(at);
    if (!keyOf) return {};
    const set: FieldsV1 = {};
    for (const item of value) {
      const key = keyOf(item);
      if (key.startsWith('k:')) put(set, key, { '.': {}, ...valueSet(item, itemsOf(at)) });
      else if (!isObject(item) && !Array.isArray(item)) put(set, key, {});
    }
    return set;
  }
  return {};
}

/**
 * How the items of the list at `at` are told apart, as their FieldsV1 keys: `k:` with the
 * list-map keys for a list of objects merged by key, `v:` with the value for a set. Undefined
 * for an atomic list, which is one value. Server-side apply merges lists by these same keys.
 */
export function listItemKeys(at: FieldLocation): ((item: JsonValue) => string) | undefined {
  const type = listTypeAt(at);
  if (!type) return undefined;
  const keyed = type === 'set' ? undefined : type;
  return (item) => {
    if (!keyed || !isObject(item)) return `v:${JSON.stringify(item)}`;
    const key: JsonObject = {};
    for (const name of keyed.keys) setKey(key, name, getKey(item, name) ?? getKey(keyed.defaults, name) ?? null);
    return `k:${JSON.stringify(key)}`;
  };
}

/** A list map's keys (the defaults standing in for a key an item leaves out). */
export interface ListMapKeys {
  keys: string[];
  defaults: JsonObject;
}

/**
 * What server-side apply makes of the list at `at`: a list map (its items told apart by these
 * keys), a set of values, or (undefined) an atomic list, replaced whole.
 */
export function listTypeAt(at: FieldLocation): ListMapKeys | 'set' | undefined {
  const rule = ruleAt(at);
  if (rule?.strategy !== 'merge') return undefined;
  return rule.mergeKey ? listMapKeys(at, rule.mergeKey) : 'set';
}

/** The listed keys of a merged list at `at`: its list-map keys, or its patch merge key alone. */
function listMapKeys(at: FieldLocation, mergeKey: string): ListMapKeys {
  if (at.kind === 'Service' && at.path === 'spec.ports') return SERVICE_PORTS;
  return LIST_MAP_KEYS.find((l) => at.path?.endsWith(l.suffix)) ?? { keys: [mergeKey], defaults: {} };
}

/**
 * The fields of `a` that are not in `b`, path by path: an empty node is the field itself, a node
 * with children stands for those children only (as structured-merge-diff's sets compare).
 */
export function difference(a: FieldsV1, b: FieldsV1): FieldsV1 {
  const out: FieldsV1 = {};
  for (const [key, child] of Object.entries(a)) {
    const other = own(b, key);
    if (isEmpty(child)) {
      if (!(other && isEmpty(other))) put(out, key, child);
      continue;
    }
    const rest = difference(child, other ?? {});
    if (!isEmpty(rest)) put(out, key, rest);
  }
  return out;
}

/** The fields in both, path by path. */
export function intersection(a: FieldsV1, b: FieldsV1): FieldsV1 {
  const out: FieldsV1 = {};
  for (const [key, child] of Object.entries(a)) {
    const other = own(b, key);
    if (!other) continue;
    if (isEmpty(child) || isEmpty(other)) {
      if (isEmpty(child) && isEmpty(other)) put(out, key, {});
      continue;
    }
    const both = intersection(child, other);
    if (!isEmpty(both)) put(out, key, both);
  }
  return out;
}

/**
 * The fields in either. A field owned whole in one and below in the other is both: `.` marks the
 * field itself beside its children, as FieldsV1 writes a field that is a member and has members.
 */
export function union(a: FieldsV1, b: FieldsV1): FieldsV1 {
  const out: FieldsV1 = { ...a };
  for (const [key, child] of Object.entries(b)) {
    const other = own(a, key);
    if (!other) put(out, key, child);
    else if (isEmpty(other) !== isEmpty(child)) put(out, key, { '.': {}, ...other, ...child });
    else if (!isEmpty(child)) put(out, key, union(other, child));
  }
  return out;
}

/** A set's own entry (never one of Object.prototype's). */
function own(set: FieldsV1, key: string): FieldsV1 | undefined {
  return Object.prototype.hasOwnProperty.call(set, key) ? set[key] : undefined;
}

function put(set: FieldsV1, key: string, value: FieldsV1): void {
  setKey(set as unknown as JsonObject, key, value as unknown as JsonValue);
}

/** One field of a set, as the keys that lead to it from the root. */
export type FieldKeys = readonly string[];

/** The set of that one field. */
export function fieldSetOfPath(keys: FieldKeys): FieldsV1 {
  let node: FieldsV1 = {};
  for (let i = keys.length - 1; i >= 0; i--) {
    const parent: FieldsV1 = {};
    put(parent, keys[i]!, node);
    node = parent;
  }
  return node;
}

/** Whether a value is a field set server-side apply can read (managedFields as a client may send them). */
export function isFieldsV1(value: unknown): value is FieldsV1 {
  if (!isObject(value)) return false;
  return Object.entries(value).every(([key, child]) => {
    if (key !== '.' && !/^[fkvi]:/.test(key)) return false;
    if (key.startsWith('k:') || key.startsWith('v:')) {
      try {
        JSON.parse(key.slice(2));
      } catch {
        return false;
      }
    }
    return isFieldsV1(child);
  });
}

/** The fields of a set that hold a value: its leaves (a list item's own `.` is not one). */
export function leaves(set: FieldsV1, prefix: FieldKeys = []): FieldKeys[] {
  const out: FieldKeys[] = [];
  for (const [key, child] of Object.entries(set)) {
    if (key === '.') continue;
    if (isEmpty(child)) out.push([...prefix, key]);
    else out.push(...leaves(child, [...prefix, key]));
  }
  return out;
}

/** A field as Kubernetes prints it in a conflict: `.spec.replicas`, `.spec.template.spec.containers[name="nginx"].image`. */
export function fieldPathString(keys: FieldKeys): string {
  return keys
    .map((key) => {
      if (key.startsWith('f:')) return `.${key.slice(2)}`;
      if (key.startsWith('v:')) return `[=${key.slice(2)}]`;
      return `[${Object.entries(parseItemKey(key) ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}

/** The value at a field of an object, or undefined where there is none. */
export function valueAt(object: JsonValue | undefined, keys: FieldKeys): JsonValue | undefined {
  let node: JsonValue | undefined = object;
  for (const key of keys) {
    if (node === undefined || node === null) return undefined;
    if (key.startsWith('f:')) node = isObject(node) ? getKey(node, key.slice(2)) : undefined;
    else if (key.startsWith('k:')) node = Array.isArray(node) ? node.find((item) => matchesKey(item, key)) : undefined;
    else if (key.startsWith('v:')) node = Array.isArray(node) && node.some((item) => JSON.stringify(item) === key.slice(2)) ? (JSON.parse(key.slice(2)) as JsonValue) : undefined;
  }
  return node;
}

/**
 * The fields of both sets whose values differ between `a` (the object of `before`) and `b` (that
 * of `after`): a typed comparison's Modified. Subtrees that are equal are not walked.
 */
export function modifiedFields(before: FieldsV1, after: FieldsV1, a: JsonValue | undefined, b: JsonValue | undefined): FieldsV1 {
  const out: FieldsV1 = {};
  for (const [key, afterChild] of Object.entries(after)) {
    if (key === '.' || key.startsWith('v:')) continue;
    const beforeChild = own(before, key);
    if (!beforeChild) continue;
    const av = childValue(a, key);
    const bv = childValue(b, key);
    const leaf = isEmpty(afterChild);
    if (leaf !== isEmpty(beforeChild)) continue;
    if (jsonEqual(av ?? null, bv ?? null)) continue;
    if (leaf) put(out, key, {});
    else {
      const below = modifiedFields(beforeChild, afterChild, av, bv);
      if (!isEmpty(below)) put(out, key, below);
    }
  }
  return out;
}

/** The value one key of a field set leads to from `value`. */
function childValue(value: JsonValue | undefined, key: string): JsonValue | undefined {
  if (key.startsWith('f:')) return isObject(value) ? getKey(value, key.slice(2)) : undefined;
  if (key.startsWith('k:') && Array.isArray(value)) return value.find((item) => matchesKey(item, key));
  return undefined;
}

/**
 * Removes a set's fields from an object: fields owned whole and list items go, and so do maps and
 * lists left empty by it. What `keep` (the fields some manager still owns) has stays, and so does
 * a field with kept fields below it (structured-merge-diff adds back what anyone owns).
 */
export function removeFields(object: JsonObject, set: FieldsV1, keep: FieldsV1 = {}): void {
  for (const [key, child] of Object.entries(set)) {
    if (!key.startsWith('f:')) continue;
    const name = key.slice(2);
    const value = getKey(object, name);
    if (value === undefined) continue;
    const kept = own(keep, key);
    if (isEmpty(child)) {
      if (!kept) deleteKey(object, name);
      continue;
    }
    if (isObject(value)) {
      removeFields(value, child, kept);
      if (Object.keys(value).length === 0 && !kept) deleteKey(object, name);
    } else if (Array.isArray(value)) {
      const left = removeItems(value, child, kept ?? {});
      if (left.length === 0 && !kept) deleteKey(object, name);
      else value.splice(0, value.length, ...left);
    }
  }
}

function removeItems(list: JsonValue[], set: FieldsV1, keep: FieldsV1): JsonValue[] {
  const out: JsonValue[] = [];
  for (const item of list) {
    const itemKey = Object.keys(set).find((key) => (key.startsWith('k:') && matchesKey(item, key)) || (key.startsWith('v:') && JSON.stringify(item) === key.slice(2)));
    const kept = itemKey === undefined ? undefined : own(keep, itemKey);
    if (itemKey === undefined) out.push(item);
    else if (itemKey.startsWith('k:') && (kept || !own(set[itemKey]!, '.')) && isObject(item)) {
      removeFields(item, set[itemKey]!, kept);
      out.push(item);
    } else if (kept) out.push(item);
  }
  return out;
}

function matchesKey(item: JsonValue, key: string): boolean {
  if (!isObject(item)) return false;
  const itemKey = parseItemKey(key);
  return itemKey !== undefined && Object.entries(itemKey).every(([k, v]) => jsonEqual(getKey(item, k) ?? (k === 'protocol' ? 'TCP' : null), v));
}

/** The key object of a `k:` entry, or undefined when it is not JSON (a hand-made managedFields). */
function parseItemKey(key: string): JsonObject | undefined {
  try {
    const parsed = JSON.parse(key.slice(2)) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function isEmpty(set: FieldsV1): boolean {
  for (const _ in set) return false;
  return true;
}
