import { goQuote } from '../errors/go-format';
import { applyMergePatch } from '../patch/merge-patch';
import { copyJson, isObject, jsonEqual, type JsonObject, type JsonValue } from '../patch/json-value';
import { hasPatchRules } from '../patch/patch-meta';
import { strategicMergePatch } from '../patch/strategic-merge-patch';
import { difference, fieldPathString, fieldSetOf, fieldSetOfPath, intersection, isEmpty, leaves, removeFields, UNOWNED_METADATA, valueAt, type FieldKeys, type FieldsV1 } from './fields-v1';

/** metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
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
 * manager. Fields set alike are shared. The result carries the new managedFields.
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

  let object: JsonObject;
  if (!live) {
    object = copyJson(config) as JsonObject;
  } else {
    object = hasPatchRules(options.kind) ? strategicMergePatch(live, config, options.kind) : (applyMergePatch(live, config) as JsonObject);
    if (own) {
      let dropped = difference(own.fieldsV1 ?? {}, set);
      for (const entry of others) dropped = difference(dropped, entry.fieldsV1 ?? {});
      removeFields(object, dropped, set);
    }
  }

  const managedFields: ManagedFieldsEntry[] = [];
  const mine: ManagedFieldsEntry = { manager: options.manager, operation: 'Apply', apiVersion: options.apiVersion, time: options.now, fieldsType: 'FieldsV1', fieldsV1: set };
  for (const entry of entries) {
    if (entry === own) {
      managedFields.push(mine);
      continue;
    }
    let fields = entry.fieldsV1 ?? {};
    for (const conflict of conflicts) if (conflict.entry === entry) fields = difference(fields, fieldSetOfPath(conflict.keys));
    if (!isEmpty(fields)) managedFields.push({ ...entry, fieldsV1: fields });
  }
  if (!own) managedFields.push(mine);
  const meta = (isObject(object.metadata) ? object.metadata : (object.metadata = {})) as JsonObject;
  meta.managedFields = managedFields as unknown as JsonValue;
  return object;
}

/** The applied configuration without what no manager owns: status, and the server's metadata (the name and namespace stay, to merge by). */
function withoutSystemFields(applied: JsonObject): JsonObject {
  const config = copyJson(applied) as JsonObject;
  delete config.status;
  if (isObject(config.metadata)) for (const field of UNOWNED_METADATA) if (field !== 'name' && field !== 'namespace') delete config.metadata[field];
  return config;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How Kubernetes names a manager in a conflict: an applier by name, an updater with its API version. */
function managerText(entry: ManagedFieldsEntry): string {
  const name = goQuote(String(entry.manager)) + (entry.subresource ? ` with subresource ${goQuote(entry.subresource)}` : '');
  return entry.operation === 'Update' ? `${name} using ${entry.apiVersion}` : name;
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
