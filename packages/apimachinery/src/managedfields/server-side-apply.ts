import { goQuote } from '../errors/go-format';
import { copyJson, isObject, jsonEqual, type JsonObject, type JsonValue } from '../patch/json-value';
import { difference, fieldPathString, fieldSetOf, fieldSetOfPath, intersection, isEmpty, leaves, removeFields, union, UNOWNED_METADATA, valueAt, type FieldKeys, type FieldsV1 } from './fields-v1';
import { mergeApplied } from './structured-merge';

/** metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** When the manager last changed the object (absent when its apply changed nothing). */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

export interface ApplyOptions {
  /** The fieldManager of the request (kubectl's is "kubectl"). */
  manager: string;
  /** --force-conflicts: take the fields other managers set to other values. */
  force: boolean;
  kind: string;
  /** The applied configuration's apiVersion (the manager's entry records it). */
  apiVersion: string;
  /** When, as RFC 3339 (the entry's time). */
  now: string;
}

/** One field another manager set to another value. */
export interface ApplyConflict {
  /** `"kubectl"` for an applier, `"kubectl-edit" using apps/v1` for an updater. */
  manager: string;
  /** `.spec.replicas` */
  field: string;
}

/** An apply refused because it would change fields other managers set (409 Conflict). */
export class ApplyConflictError extends Error {
  constructor(readonly conflicts: ApplyConflict[]) {
    super(conflictMessage(conflicts));
  }
}

/**
 * Server-side apply (`kubectl apply --server-side`, PATCH as application/apply-patch+yaml): the
 * object `live` (undefined when it does not exist yet) with the applied configuration merged in,
 * as the manager's own. The manager owns exactly the fields its configuration sets: fields it set
 * before and no longer sets are removed (unless another manager set them too); a field another
 * manager set to a different value is a conflict, unless `force`, which moves the field to this
 * manager. Fields set alike are shared. The result carries the new managedFields, sorted as
 * Kubernetes sorts them; the manager's time moves only when the object changes, so an apply that
 * changes nothing gives back the object as it was.
 */
export function serverSideApply(live: JsonObject | undefined, applied: JsonObject, options: ApplyOptions): JsonObject {
  const config = withoutSystemFields(applied);
  const set = fieldSetOf(config, options.kind);
  const metadata = live && isObject(live.metadata) ? live.metadata : {};
  // Entries come from storage, validated on every write (validateManagedFields).
  const entries = Array.isArray(metadata.managedFields) ? (metadata.managedFields as unknown as ManagedFieldsEntry[]).filter((e) => isObject(e)) : [];
  const own = entries.find((e) => e.manager === options.manager && e.operation === 'Apply' && !e.subresource);
  const others = entries.filter((e) => e !== own);

  const conflicts: Array<{ entry: ManagedFieldsEntry; keys: FieldKeys }> = [];
  if (live) {
    for (const entry of others) {
      for (const keys of leaves(intersection(set, entry.fieldsV1 ?? {}))) {
        if (!jsonEqual(valueAt(live, keys) ?? null, valueAt(config, keys) ?? null)) conflicts.push({ entry, keys });
      }
    }
  }
  if (conflicts.length > 0 && !options.force) {
    // Listed as Kubernetes lists them: by manager, then by field.
    const listed = conflicts.map(({ entry, keys }) => ({ manager: managerText(entry), field: fieldPathString(keys) }));
    throw new ApplyConflictError(listed.sort((x, y) => (x.manager === y.manager ? byteOrder(x.field, y.field) : byteOrder(x.manager, y.manager))));
  }

  const object = mergeApplied(live ?? {}, config, options.kind);
  if (own) {
    // What the manager set before and no longer sets goes, unless some manager (this one with its
    // new configuration too) still owns it or something below it.
    const keep = others.reduce((kept, entry) => union(kept, entry.fieldsV1 ?? {}), set);
    removeFields(object, difference(own.fieldsV1 ?? {}, set), keep);
  }

  // The manager's time is of its last change (managedFieldsUpdater): an apply that changes
  // nothing keeps the time it had, or has none, and so writes nothing new.
  const changed = !live || !jsonEqual(withoutManagedFields(live), withoutManagedFields(object));
  const managedFields: ManagedFieldsEntry[] = [];
  if (!isEmpty(set)) {
    const unchanged = own && !changed && own.apiVersion === options.apiVersion && jsonEqual(own.fieldsV1 as unknown as JsonValue, set as unknown as JsonValue);
    const time = changed ? options.now : own?.time;
    managedFields.push(unchanged ? own : { manager: options.manager, operation: 'Apply', apiVersion: options.apiVersion, ...(time ? { time } : {}), fieldsType: 'FieldsV1', fieldsV1: set });
  }
  for (const entry of others) {
    let fields = entry.fieldsV1 ?? {};
    for (const conflict of conflicts) if (conflict.entry === entry) fields = difference(fields, fieldSetOfPath(conflict.keys));
    // A manager left with no fields is no manager.
    if (!isEmpty(fields)) managedFields.push(fields === entry.fieldsV1 ? entry : { ...entry, fieldsV1: fields });
  }
  const meta = (isObject(object.metadata) ? object.metadata : (object.metadata = {})) as JsonObject;
  meta.managedFields = managedFields.sort(byKubernetesOrder) as unknown as JsonValue;
  return object;
}

function withoutManagedFields(object: JsonObject): JsonObject {
  if (!isObject(object.metadata)) return object;
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** sortEncodedManagedFields: by operation (Apply first), time in whole seconds (none first), manager, apiVersion, subresource. */
export function byKubernetesOrder(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  return (
    byteOrder(String(p.operation), String(q.operation)) ||
    secondsOf(p.time) - secondsOf(q.time) ||
    byteOrder(String(p.manager), String(q.manager)) ||
    byteOrder(String(p.apiVersion), String(q.apiVersion)) ||
    byteOrder(String(p.subresource ?? ''), String(q.subresource ?? ''))
  );
}

/** An entry's time in whole seconds (none or unreadable: 0), as Kubernetes compares them. */
export function secondsOf(time: string | undefined): number {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** The applied configuration without what no manager owns: status, and the server's metadata (the name and namespace stay, to merge by). */
function withoutSystemFields(applied: JsonObject): JsonObject {
  const config = copyJson(applied) as JsonObject;
  delete config.status;
  if (isObject(config.metadata)) for (const field of UNOWNED_METADATA) if (field !== 'name' && field !== 'namespace') delete config.metadata[field];
  return config;
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How Kubernetes names a manager in a conflict: an applier by name, an updater with its API version. */
function managerText(entry: ManagedFieldsEntry): string {
  // Stored entries are checked on write, but text is made of whatever they hold.
  const name = goQuote(String(entry.manager)) + (entry.subresource ? ` with subresource ${goQuote(String(entry.subresource))}` : '');
  return entry.operation === 'Update' ? `${name} using ${String(entry.apiVersion)}` : name;
}

/** "Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas", or per manager with a list of fields. */
function conflictMessage(conflicts: ApplyConflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${conflicts[0]!.manager}: ${conflicts[0]!.field}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${manager}:`);
    for (const field of byManager.get(manager)!) lines.push(`- ${field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
