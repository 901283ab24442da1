import { isConflict, isNotFound, sleep, type DeleteOptions, type Informer, type KubeObject } from '@kubelab/client';
import type { OwnerReference } from '@kubelab/apimachinery';
import type { ControllerContext } from '../../controller/context';
import { QueueController } from '../../controller/queue-controller';
import { AbsentOwnerCache } from './absent-owner-cache';
import { FOREGROUND_DELETION, ORPHAN, referenceMatches, type GraphNode, type ObjectIdentity } from './graph';
import { GraphBuilder } from './graph-builder';
import { metadataListPatch } from './metadata-patch';
import { GARBAGE_COLLECTED_RESOURCES, groupOf, type GarbageCollectedResource } from './resources';

/** How often resources the apiserver did not serve are looked for again (Kubernetes' GC resyncs discovery every 30 s). */
const RESYNC_PERIOD_MS = 30_000;

/** kube-controller-manager's --concurrent-gc-syncs default. */
const CONCURRENT_SYNCS = 20;

/** An owner the GC knows only as a virtual node exists, but no informer has shown it yet: look again later. */
class NotYetObservedError extends Error {
  override name = 'NotYetObservedError';
}

/** A cluster-scoped object naming a namespaced owner: never valid, never retried. */
class NamespacedOwnerOfClusterScopedObjectError extends Error {
  override name = 'NamespacedOwnerOfClusterScopedObjectError';
}

/**
 * The garbage collector (pkg/controller/garbagecollector): deletes objects whose owners are all
 * gone, and carries out foreground and orphan deletion of owners.
 *
 * - Background (what `kubectl delete deployment` asks for): the owner goes at once; the GC sees
 *   it gone and deletes each dependent whose every owner is gone, so deleting a Deployment deletes
 *   its ReplicaSets and then their pods. A dependent with another live owner only loses the
 *   reference to the dead one.
 * - Foreground: the owner stays with the `foregroundDeletion` finalizer until its dependents with
 *   blockOwnerDeletion are gone (deleted in the foreground themselves when they have dependents);
 *   then the GC removes the finalizer and the apiserver deletes the owner.
 * - Orphan: the GC removes the owner's reference from every dependent, then the `orphan` finalizer.
 *
 * The work queue holds uids of graph nodes. An owner is trusted to exist when the graph has it
 * from an informer; when it does not, a GET by uid decides, so a stale cache never deletes anything.
 */
export class GarbageCollector extends QueueController {
  readonly graph: GraphBuilder;
  private readonly absentOwners = new AbsentOwnerCache();
  private readonly monitors = new Map<GarbageCollectedResource, Informer<KubeObject>>();

  constructor(
    ctx: ControllerContext,
    private readonly resources: readonly GarbageCollectedResource[] = GARBAGE_COLLECTED_RESOURCES,
  ) {
    super('garbage-collector-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS });
    const enqueue = (node: GraphNode) => this.enqueue(node.uid);
    this.graph = new GraphBuilder(enqueue, enqueue, this.absentOwners);
  }

  protected informers(): Informer<KubeObject>[] {
    return [...this.monitors.values()];
  }

  override async run(signal: AbortSignal): Promise<void> {
    await this.syncMonitors();
    const resync = (async () => {
      while (!signal.aborted && this.monitors.size < this.resources.length) {
        await sleep(this.ctx.clock, RESYNC_PERIOD_MS, signal);
        if (!signal.aborted) await this.syncMonitors();
      }
    })();
    await Promise.all([super.run(signal), resync]);
  }

  /**
   * Starts watching every resource the apiserver serves and is not watched yet (the GC's
   * resyncMonitors). A resource whose list answers NotFound is not served: it is skipped and
   * looked for again later. Any other error is the apiserver being away: the informer retries.
   */
  async syncMonitors(): Promise<void> {
    for (const resource of this.resources) {
      if (this.monitors.has(resource)) continue;
      try {
        await this.ctx.client.list(resource.resource, { limit: 1 });
      } catch (error) {
        if (isNotFound(error)) {
          this.log.info({ resource: resource.resource.resource }, 'resource not served; not garbage collected until it is');
          continue;
        }
      }
      const informer = this.ctx.informers.informer(resource.resource);
      informer.addEventHandler(this.graph.handlerFor(resource));
      this.monitors.set(resource, informer);
    }
  }

  async reconcile(uid: string): Promise<void> {
    const node = this.graph.node(uid);
    if (!node) return;
    try {
      if (node.isOrphaning()) await this.attemptToOrphan(node);
      else await this.attemptToDeleteItem(node);
    } catch (error) {
      if (error instanceof NamespacedOwnerOfClusterScopedObjectError) {
        this.log.warn({ item: describe(node.identity), err: error.message }, 'invalid owner reference; ignored');
        return;
      }
      throw error;
    }
  }

  /** Deletes the object if none of its owners is alive, or drops its references to owners that are gone. */
  private async attemptToDeleteItem(item: GraphNode): Promise<void> {
    // Being deleted is a one-way trip: its dependents are looked at once it is gone.
    if (item.beingDeleted && !item.isDeletingDependents()) return;
    const latest = await this.getObject(item.identity);
    if (!latest || latest.metadata.uid !== item.uid) {
      this.graph.observeDeletion(item.identity, true);
      return;
    }
    if (item.isDeletingDependents()) return this.processDeletingDependentsItem(item);

    const ownerReferences = (latest.metadata.ownerReferences as OwnerReference[] | undefined) ?? [];
    if (ownerReferences.length) {
      const { solid, dangling, waitingForDependentsDeletion } = await this.classifyReferences(item, ownerReferences);
      if (solid.length) {
        if (dangling.length || waitingForDependentsDeletion.length) {
          // An owner waiting in the foreground must not wait for a dependent that something else still owns.
          const gone = new Set([...dangling, ...waitingForDependentsDeletion].map((ref) => ref.uid));
          this.log.info({ item: describe(item.identity), removed: [...gone] }, 'removing references to owners that are gone or being deleted');
          await this.patchOwnerReferences(item, latest, ownerReferences.filter((ref) => !gone.has(ref.uid)));
        }
      } else if (waitingForDependentsDeletion.length && item.dependents.size) {
        if ([...item.dependents].some((dependent) => dependent.isDeletingDependents())) {
          // Owner and dependent both wait for each other's dependents: unblock this one's references to break the cycle.
          await this.patchOwnerReferences(item, latest, ownerReferences.map((ref) => (ref.blockOwnerDeletion ? { ...ref, blockOwnerDeletion: false } : ref)));
        }
        await this.deleteObject(item, latest, 'Foreground');
      } else {
        const policy = hasFinalizer(latest, ORPHAN) ? 'Orphan' : hasFinalizer(latest, FOREGROUND_DELETION) ? 'Foreground' : 'Background';
        await this.deleteObject(item, latest, policy);
      }
    }
    if (item.virtual && this.graph.node(item.uid)?.virtual) {
      throw new NotYetObservedError(`${describe(item.identity)} exists but no informer has shown it yet`);
    }
  }

  /** An owner deleted in the foreground: gone when its blocking dependents are. */
  private async processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (!blocking.length) {
      this.log.info({ item: describe(item.identity) }, 'no blocking dependents left; removing the foregroundDeletion finalizer');
      await this.removeFinalizer(item, FOREGROUND_DELETION);
      return;
    }
    for (const dependent of blocking) if (!dependent.isDeletingDependents()) this.enqueue(dependent.uid);
  }

  /** An owner deleted with propagationPolicy Orphan: its dependents let go of it, then it goes. */
  private async attemptToOrphan(owner: GraphNode): Promise<void> {
    for (const dependent of [...owner.dependents]) {
      const latest = await this.getObject(dependent.identity);
      if (!latest || latest.metadata.uid !== dependent.uid) continue;
      const refs = (latest.metadata.ownerReferences as OwnerReference[] | undefined) ?? [];
      if (refs.some((ref) => ref.uid === owner.uid)) await this.patchOwnerReferences(dependent, latest, refs.filter((ref) => ref.uid !== owner.uid));
    }
    await this.removeFinalizer(owner, ORPHAN);
  }

  /**
   * Sorts an object's owner references: solid (the owner exists), dangling (it does not), and
   * waiting (it exists, being deleted in the foreground).
   */
  private async classifyReferences(item: GraphNode, refs: OwnerReference[]): Promise<{ solid: OwnerReference[]; dangling: OwnerReference[]; waitingForDependentsDeletion: OwnerReference[] }> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waitingForDependentsDeletion: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await this.lookUpOwner(ref, item);
      if (!owner) dangling.push(ref);
      else if (owner.beingDeleted && owner.finalizers.includes(FOREGROUND_DELETION)) waitingForDependentsDeletion.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waitingForDependentsDeletion };
  }

  /**
   * The owner a reference names, by uid, or undefined when it is gone (isDangling). The graph is
   * trusted when an informer has shown that very owner; otherwise the apiserver is asked.
   */
  private async lookUpOwner(ref: OwnerReference, item: GraphNode): Promise<{ beingDeleted: boolean; finalizers: string[] } | undefined> {
    const coordinates = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid };
    if (this.absentOwners.has(coordinates) || this.absentOwners.has({ ...coordinates, namespace: item.identity.namespace })) return undefined;
    const resource = this.resourceFor(ref.apiVersion, ref.kind);
    if (!item.identity.namespace && resource.namespaced) {
      throw new NamespacedOwnerOfClusterScopedObjectError(`${describe(item.identity)} is cluster-scoped but names the namespaced ${ref.kind} ${ref.name} as an owner`);
    }
    const identity: ObjectIdentity = { ...coordinates, namespace: resource.namespaced ? item.identity.namespace : undefined };
    const known = this.graph.node(ref.uid);
    if (known && !known.virtual && referenceMatches(ref, item.identity.namespace, known.identity)) return known;
    const owner = await this.getObject(identity);
    if (!owner || owner.metadata.uid !== ref.uid) {
      this.absentOwners.add(identity);
      return undefined;
    }
    return { beingDeleted: Boolean(owner.metadata.deletionTimestamp), finalizers: owner.metadata.finalizers ?? [] };
  }

  /**
   * Deletes with preconditions on uid and resourceVersion (deleteObject): an object changed since
   * it was read is deleted anyway only if its owner references did not change.
   */
  private async deleteObject(item: GraphNode, latest: KubeObject, propagationPolicy: DeleteOptions['propagationPolicy']): Promise<void> {
    const resource = this.resourceFor(item.identity.apiVersion, item.identity.kind);
    const namespace = resource.namespaced ? item.identity.namespace : undefined;
    this.log.info({ item: describe(item.identity), propagationPolicy }, 'deleting object');
    const options: DeleteOptions = { propagationPolicy, preconditions: { uid: item.uid, resourceVersion: latest.metadata.resourceVersion } };
    try {
      await this.ctx.client.delete(resource.resource, namespace, item.identity.name, options);
    } catch (error) {
      if (isNotFound(error)) return this.graph.observeDeletion(item.identity, true);
      if (!isConflict(error)) throw error;
      const live = await this.getObject(item.identity);
      if (!live) return;
      const unchanged = JSON.stringify(live.metadata.ownerReferences ?? []) === JSON.stringify(latest.metadata.ownerReferences ?? []);
      if (live.metadata.uid !== item.uid || !unchanged) throw error;
      await this.ctx.client.delete(resource.resource, namespace, item.identity.name, { propagationPolicy, preconditions: { uid: item.uid } });
    }
  }

  /** Replaces the owner references of `node`, as long as they are still what `latest` had. */
  private async patchOwnerReferences(node: GraphNode, latest: KubeObject, refs: OwnerReference[]): Promise<void> {
    const resource = this.resourceFor(node.identity.apiVersion, node.identity.kind);
    const patch = metadataListPatch(node.uid, 'ownerReferences', latest.metadata.ownerReferences, refs);
    try {
      await this.ctx.client.patch(resource.resource, latest.metadata.namespace, latest.metadata.name!, 'application/json-patch+json', patch);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Removes one finalizer from an owner the GC has finished with; the apiserver deletes it when it was the last. */
  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const latest = await this.getObject(node.identity);
    if (!latest || latest.metadata.uid !== node.uid || !hasFinalizer(latest, finalizer)) return;
    const resource = this.resourceFor(node.identity.apiVersion, node.identity.kind);
    const finalizers = latest.metadata.finalizers!;
    const patch = metadataListPatch(node.uid, 'finalizers', finalizers, finalizers.filter((f) => f !== finalizer));
    try {
      await this.ctx.client.patch(resource.resource, resource.namespaced ? node.identity.namespace : undefined, node.identity.name, 'application/json-patch+json', patch);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** The object as the apiserver has it now, or undefined when it is not there. */
  private async getObject(identity: ObjectIdentity): Promise<KubeObject | undefined> {
    const resource = this.resourceFor(identity.apiVersion, identity.kind);
    try {
      return await this.ctx.client.get(resource.resource, resource.namespaced ? identity.namespace : undefined, identity.name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The watched resource of a kind (the GC's REST mapping). A kind the GC does not watch, or one
   * the apiserver does not serve, is an error to retry, never an absent owner.
   */
  private resourceFor(apiVersion: string, kind: string): GarbageCollectedResource {
    const resource = [...this.monitors.keys()].find((r) => r.kind === kind && r.resource.group === groupOf(apiVersion));
    if (resource) return resource;
    throw new Error(`unable to get REST mapping for ${apiVersion}/${kind}`);
  }
}

function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata.finalizers ?? []).includes(finalizer);
}

function describe(identity: ObjectIdentity): string {
  return `${identity.kind} ${identity.namespace ? `${identity.namespace}/` : ''}${identity.name} (${identity.uid})`;
}
