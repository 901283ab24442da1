import { union } from './fields-v1';
import { byteOrder, secondsOf, type ManagedFieldsEntry } from './server-side-apply';

/** Kubernetes keeps at most this many Update entries on an object (DefaultMaxUpdateManagers). */
export const MAX_UPDATE_MANAGERS = 10;

/** The manager that the oldest Update entries are merged into, one per API version. */
export const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Caps the Update entries after a write, as Kubernetes' capManagersManager does: when there are
 * more than `max`, the oldest (by time in whole seconds, then by manager identifier) are merged,
 * per API version, into one `ancient-changes` Update entry holding the union of their fields and
 * the time of the newest merged. The first entry seen of a version becomes the bucket only once a
 * second of that version joins it, and merging stops as soon as the count is down to `max`.
 * Apply entries are never merged. The result is in no particular order.
 */
export function capUpdateManagers(entries: ManagedFieldsEntry[], max = MAX_UPDATE_MANAGERS): ManagedFieldsEntry[] {
  const updaters = entries.filter((e) => e.operation !== 'Apply');
  if (updaters.length <= max) return entries;
  updaters.sort((p, q) => secondsOf(p.time) - secondsOf(q.time) || byteOrder(identifier(p), identifier(q)));

  const kept = new Set(entries);
  const buckets = new Map<string, ManagedFieldsEntry>();
  const firstOfVersion = new Map<string, ManagedFieldsEntry>();
  let length = updaters.length;
  for (const entry of updaters) {
    if (length <= max) break;
    const version = entry.apiVersion ?? '';
    const first = firstOfVersion.get(version);
    if (!first) {
      firstOfVersion.set(version, entry);
      continue;
    }
    let bucket = buckets.get(version) ?? entries.find((e) => kept.has(e) && isBucket(e, version));
    if (bucket === entry) continue; // an existing bucket met again: nothing to merge into itself
    if (!bucket) {
      kept.delete(first);
      bucket = { ...first, manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: version };
      delete bucket.subresource;
    } else kept.delete(bucket);
    bucket = { ...bucket, fieldsV1: union(bucket.fieldsV1 ?? {}, entry.fieldsV1 ?? {}), ...(entry.time ? { time: entry.time } : {}) };
    buckets.set(version, bucket);
    kept.add(bucket);
    kept.delete(entry);
    length--;
  }
  return [...kept];
}

function isBucket(entry: ManagedFieldsEntry, version: string): boolean {
  return entry.manager === ANCIENT_CHANGES && entry.operation === 'Update' && (entry.apiVersion ?? '') === version && !entry.subresource;
}

/** BuildManagerIdentifier: the entry without its time and fields, as JSON (an applier without its apiVersion). */
function identifier(entry: ManagedFieldsEntry): string {
  return JSON.stringify({
    manager: entry.manager || undefined,
    operation: entry.operation || undefined,
    apiVersion: entry.operation === 'Apply' ? undefined : entry.apiVersion || undefined,
    subresource: entry.subresource || undefined,
  });
}
