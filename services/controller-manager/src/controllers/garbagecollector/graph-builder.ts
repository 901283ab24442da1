import type { KubeObject, ResourceEventHandler } from '@kubelab/client';
import type { OwnerReference } from '@kubelab/apimachinery';
import type { AbsentOwnerCache } from './absent-owner-cache';
import { FOREGROUND_DELETION, GraphNode, ORPHAN, referenceMatches, type ObjectIdentity } from './graph';
import { apiVersionOf, type GarbageCollectedResource } from './resources';

/**
 * Keeps the dependency graph in step with the informers (Kubernetes' GraphBuilder) and says which
 * objects need a look: `attemptToDelete` for an object whose owners may be gone or waiting for it,
 * `attemptToOrphan` for an owner deleted with propagationPolicy Orphan. Kubernetes funnels every
 * informer event through one goroutine; here the informers' handlers run one at a time on the
 * event loop, so they change the graph directly and the graph is never seen half-changed.
 */
export class GraphBuilder {
  private readonly uidToNode = new Map<string, GraphNode>();

  constructor(
    private readonly attemptToDelete: (node: GraphNode) => void,
    private readonly attemptToOrphan: (node: GraphNode) => void,
    private readonly absentOwners: AbsentOwnerCache,
  ) {}

  node(uid: string): GraphNode | undefined {
    return this.uidToNode.get(uid);
  }

  get size(): number {
    return this.uidToNode.size;
  }

  /** The informer handler that feeds one resource's objects into the graph (a GC "monitor"). */
  handlerFor(resource: GarbageCollectedResource): ResourceEventHandler {
    const identity = (object: KubeObject): ObjectIdentity => ({
      apiVersion: apiVersionOf(resource.resource),
      kind: resource.kind,
      name: object.metadata.name!,
      uid: object.metadata.uid!,
      namespace: object.metadata.namespace,
    });
    return {
      onAdd: (object) => this.observe(identity(object), object, undefined),
      onUpdate: (old, object) => this.observe(identity(object), object, old),
      onDelete: (object) => this.observeDeletion(identity(object), false),
    };
  }

  /** An add or update seen by an informer. */
  observe(identity: ObjectIdentity, object: KubeObject, old: KubeObject | undefined): void {
    const owners = ownerReferences(object);
    let node = this.uidToNode.get(identity.uid);
    if (node?.virtual) {
      // A dependent named this owner before its informer showed it. Dependents whose reference
      // disagrees with what the owner turns out to be get a look: the owner they meant may not exist.
      for (const dependent of node.dependents) {
        if (!dependent.owners.some((ref) => referenceMatches(ref, dependent.identity.namespace, identity))) this.attemptToDelete(dependent);
      }
      node.identity = identity;
      node.virtual = false;
    }
    if (!node) {
      node = new GraphNode(identity, false);
      node.owners = owners;
      this.uidToNode.set(identity.uid, node);
      this.addDependentToOwners(node, owners);
    } else {
      const { added, removed, changed } = referencesDiffs(node.owners, owners);
      if (added.length || removed.length || changed.length) {
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        node.owners = owners;
        this.addDependentToOwners(node, added);
        this.removeDependentFromOwners(node, removed);
      }
    }
    node.beingDeleted = Boolean(object.metadata.deletionTimestamp);
    node.finalizers = [...(object.metadata.finalizers ?? [])];
    this.processTransitions(old, object, node);
  }

  /**
   * An object is gone: seen by an informer, or (virtual) confirmed by the GC with a GET. Its
   * dependents get a look (their owner is gone), and so do its owners that wait for it.
   */
  observeDeletion(identity: ObjectIdentity, virtual: boolean): void {
    const node = this.uidToNode.get(identity.uid);
    if (!node) return;
    if (virtual && !node.virtual && !sameIdentity(node.identity, identity)) {
      // The object exists under other coordinates: only dependents that named these are dangling.
      const matching = [...node.dependents].filter((d) => d.owners.some((ref) => referenceMatches(ref, d.identity.namespace, identity)));
      if (matching.length) this.absentOwners.add(identity);
      for (const dependent of matching) this.attemptToDelete(dependent);
      return;
    }
    this.uidToNode.delete(identity.uid);
    this.removeDependentFromOwners(node, node.owners);
    if (node.dependents.size) this.absentOwners.add(identity);
    for (const dependent of node.dependents) this.attemptToDelete(dependent);
    for (const ref of node.owners) {
      const owner = this.uidToNode.get(ref.uid);
      if (owner?.isDeletingDependents()) this.attemptToDelete(owner);
    }
  }

  /** Links a node to its owners; an owner not in the graph gets a virtual node, to be checked. */
  private addDependentToOwners(node: GraphNode, owners: OwnerReference[]): void {
    let suspicious = false;
    for (const ref of owners) {
      let owner = this.uidToNode.get(ref.uid);
      if (!owner) {
        owner = new GraphNode({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: node.identity.namespace }, true);
        this.uidToNode.set(ref.uid, owner);
        owner.dependents.add(node);
        this.attemptToDelete(owner);
        continue;
      }
      owner.dependents.add(node);
      if (!owner.virtual && !referenceMatches(ref, node.identity.namespace, owner.identity)) suspicious = true;
    }
    // A reference that does not match the owner it names by uid: the GC checks it against the apiserver.
    if (suspicious) this.attemptToDelete(node);
  }

  private removeDependentFromOwners(node: GraphNode, owners: OwnerReference[]): void {
    for (const ref of owners) this.uidToNode.get(ref.uid)?.dependents.delete(node);
  }

  /** A blocking reference removed or unblocked may be what a foreground deletion waits for. */
  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: Array<{ old: OwnerReference; now: OwnerReference }>): void {
    const unblocked = [...removed.filter((ref) => ref.blockOwnerDeletion === true), ...changed.filter((c) => c.old.blockOwnerDeletion === true && c.now.blockOwnerDeletion !== true).map((c) => c.now)];
    for (const ref of unblocked) {
      const owner = this.uidToNode.get(ref.uid);
      if (owner) this.attemptToDelete(owner);
    }
  }

  /** Deletion with the orphan finalizer starts orphaning; with foregroundDeletion, deleting the dependents first. */
  private processTransitions(old: KubeObject | undefined, object: KubeObject, node: GraphNode): void {
    if (deletionStartsWithFinalizer(old, object, ORPHAN)) {
      this.attemptToOrphan(node);
      return;
    }
    if (deletionStartsWithFinalizer(old, object, FOREGROUND_DELETION)) {
      for (const dependent of node.dependents) this.attemptToDelete(dependent);
      this.attemptToDelete(node);
    }
  }
}

function ownerReferences(object: KubeObject): OwnerReference[] {
  return [...((object.metadata.ownerReferences as OwnerReference[] | undefined) ?? [])];
}

function deletionStartsWithFinalizer(old: KubeObject | undefined, object: KubeObject, finalizer: string): boolean {
  const waiting = (o: KubeObject) => Boolean(o.metadata.deletionTimestamp) && (o.metadata.finalizers ?? []).includes(finalizer);
  return waiting(object) && (!old || !waiting(old));
}

/** What changed between two ownerReferences lists, matched by uid (referencesDiffs). */
export function referencesDiffs(
  old: OwnerReference[],
  now: OwnerReference[],
): { added: OwnerReference[]; removed: OwnerReference[]; changed: Array<{ old: OwnerReference; now: OwnerReference }> } {
  const byUid = new Map(old.map((ref) => [ref.uid, ref]));
  const added: OwnerReference[] = [];
  const changed: Array<{ old: OwnerReference; now: OwnerReference }> = [];
  for (const ref of now) {
    const before = byUid.get(ref.uid);
    if (!before) added.push(ref);
    else if (!sameReference(before, ref)) changed.push({ old: before, now: ref });
    byUid.delete(ref.uid);
  }
  return { added, removed: [...byUid.values()], changed };
}

function sameReference(a: OwnerReference, b: OwnerReference): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.controller === b.controller && a.blockOwnerDeletion === b.blockOwnerDeletion;
}

function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.uid === b.uid && a.kind === b.kind && a.name === b.name && a.apiVersion === b.apiVersion && (a.namespace ?? '') === (b.namespace ?? '');
}
