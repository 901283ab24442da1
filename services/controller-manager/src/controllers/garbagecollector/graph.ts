import type { OwnerReference } from '@kubelab/apimachinery';
import { groupOf } from './resources';

/** metav1.FinalizerDeleteDependents: the owner waits until its blocking dependents are gone. */
export const FOREGROUND_DELETION = 'foregroundDeletion';
/** metav1.FinalizerOrphanDependents: the owner waits until its dependents no longer point at it. */
export const ORPHAN = 'orphan';

/** Who an object is (the GC's objectReference): an owner reference's coordinates plus the namespace. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** Undefined or '' for a cluster-scoped object. */
  namespace?: string;
}

/**
 * One object in the dependency graph (the GC's `node`): its owners as its ownerReferences say,
 * the objects that name it as an owner, and what the GC needs of its deletion state. A virtual
 * node stands for an owner that dependents name but no informer has shown (yet): it may not exist.
 */
export class GraphNode {
  owners: OwnerReference[] = [];
  readonly dependents = new Set<GraphNode>();
  beingDeleted = false;
  finalizers: string[] = [];

  constructor(
    public identity: ObjectIdentity,
    public virtual: boolean,
  ) {}

  get uid(): string {
    return this.identity.uid;
  }

  /** Being deleted in the foreground: waiting for its blocking dependents to go first. */
  isDeletingDependents(): boolean {
    return this.beingDeleted && this.finalizers.includes(FOREGROUND_DELETION);
  }

  /** Being deleted with its dependents orphaned: waiting for them to drop their references. */
  isOrphaning(): boolean {
    return this.beingDeleted && this.finalizers.includes(ORPHAN);
  }

  /** The dependents whose reference to this node has blockOwnerDeletion (they hold up a foreground deletion). */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((dependent) => dependent.owners.some((ref) => ref.uid === this.uid && ref.blockOwnerDeletion === true));
  }
}

/**
 * Whether an owner reference, seen from an object in `dependentNamespace`, names this identity:
 * same group, kind and name, and for a namespaced owner the same namespace (ownerReferenceMatchesCoordinates).
 */
export function referenceMatches(ref: OwnerReference, dependentNamespace: string | undefined, owner: ObjectIdentity): boolean {
  if (ref.uid !== owner.uid || ref.kind !== owner.kind || ref.name !== owner.name || groupOf(ref.apiVersion) !== groupOf(owner.apiVersion)) return false;
  return !owner.namespace || owner.namespace === (dependentNamespace ?? '');
}

/** The key of an owner confirmed absent: every coordinate, since a reference can be wrong in any. */
export function identityKey(identity: ObjectIdentity): string {
  return [groupOf(identity.apiVersion), identity.kind, identity.namespace ?? '', identity.name, identity.uid].join('|');
}
