import type { JsonPatchOperation } from '@kubelab/apimachinery';

/**
 * A JSON patch that replaces a metadata list (ownerReferences, finalizers) only if the object is
 * still the one the GC looked at (same uid) and the list still holds what it read: a
 * compare-and-swap, so a reference added or a finalizer set by someone else in between is never
 * lost (the apiserver refuses the patch and the GC looks again). An empty list is removed.
 */
export function metadataListPatch(uid: string, field: 'ownerReferences' | 'finalizers', current: readonly unknown[] | undefined, next: readonly unknown[]): JsonPatchOperation[] {
  const path = `/metadata/${field}`;
  const ops: JsonPatchOperation[] = [{ op: 'test', path: '/metadata/uid', value: uid }];
  if (current !== undefined) ops.push({ op: 'test', path, value: current as never });
  if (next.length) ops.push({ op: current !== undefined ? 'replace' : 'add', path, value: next as never });
  else if (current !== undefined) ops.push({ op: 'remove', path });
  return ops;
}
