import type { JsonObject } from '../patch/json-value';
import { difference, fieldSetOf, isEmpty, modifiedFields, union } from './fields-v1';
import { capUpdateManagers } from './cap-managers';
import { byKubernetesOrder, type ManagedFieldsEntry } from './server-side-apply';

export interface UpdateOptions {
  /** The writer: the request's fieldManager, or the first part of its user agent (`kubectl-edit`, `kube-controller-manager`). */
  manager: string;
  /** The request's group version (the entry records it). */
  apiVersion: string;
  kind: string;
  /** The subresource written (`status`, `scale`); the object itself when absent. */
  subresource?: string;
  /** When, as RFC 3339 (the entry's time, if the writer changed anything). */
  now: string;
}

/**
 * The managedFields after a write that is not an apply: a create, an update or a patch
 * (Kubernetes' FieldManager.Update). The writer's Update entry (one per manager, API version and
 * subresource) takes the fields the write added or changed, and its time moves to now; every
 * other manager gives up the fields changed under it and those removed. A manager left with no
 * fields is no manager. A write that changes nothing leaves the entries as they were.
 *
 * `next.metadata.managedFields` is the starting point: the live object's, or what the client
 * sent to replace them. A write to the status subresource compares the status only; any other,
 * the object without its status. Past 10 Update entries, the oldest merge into `ancient-changes`.
 */
export function managedFieldsAfterUpdate(live: JsonObject | undefined, next: JsonObject, options: UpdateOptions): ManagedFieldsEntry[] {
  const part = options.subresource === 'status' ? 'status' : 'object';
  const before = live ? fieldSetOf(live, options.kind, part) : {};
  const after = fieldSetOf(next, options.kind, part);
  const added = difference(after, before);
  const removed = difference(before, after);
  const modified = live ? modifiedFields(before, after, live, next) : {};
  const changed = union(added, modified);
  const taken = union(changed, removed);

  const meta = next.metadata as JsonObject | undefined;
  const entries = Array.isArray(meta?.managedFields) ? (meta.managedFields as unknown as ManagedFieldsEntry[]).filter((e) => e && typeof e === 'object') : [];
  const subresource = options.subresource ?? '';
  const isOwn = (e: ManagedFieldsEntry) => e.manager === options.manager && e.operation === 'Update' && e.apiVersion === options.apiVersion && (e.subresource ?? '') === subresource;
  const out: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const entry of entries) {
    if (isOwn(entry)) own = { ...entry, fieldsV1: difference(entry.fieldsV1 ?? {}, removed) };
    else {
      const fields = difference(entry.fieldsV1 ?? {}, taken);
      if (!isEmpty(fields)) out.push({ ...entry, fieldsV1: fields });
    }
  }
  if (!isEmpty(changed)) {
    own = { manager: options.manager, operation: 'Update', apiVersion: options.apiVersion, time: options.now, fieldsType: 'FieldsV1', fieldsV1: union(own?.fieldsV1 ?? {}, changed), ...(subresource ? { subresource } : {}) };
  }
  if (own && !isEmpty(own.fieldsV1)) out.push(own);
  return capUpdateManagers(out).sort(byKubernetesOrder);
}
