import type { KubeObject, OwnerReference } from '@kubelab/apimachinery';

/** The owner reference with controller: true, if any (metav1.GetControllerOf). */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** The reference a controller puts on what it creates (metav1.NewControllerRef). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * Resolves a controller reference to the owner in a cache: same kind, same name, same uid (a
 * recreated owner with the same name is another owner).
 */
export function resolveControllerRef<T extends KubeObject>(ref: OwnerReference | undefined, kind: string, lookup: (name: string) => T | undefined): T | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = lookup(ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}
