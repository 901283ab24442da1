import { isConflict, isNotFound, metaTime, Resources, type Clock, type GroupVersionResource, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { deletionConditions, mergeConditions, type ContentTotals, type NamespaceCondition } from './namespace-conditions';

/** The finalizer this controller owns in a namespace's spec.finalizers (v1.FinalizerKubernetes). */
export const FINALIZER_KUBERNETES = 'kubernetes';

/** How long to allow objects with finalizers to go (finalizerEstimateSeconds). */
const FINALIZER_ESTIMATE_SECONDS = 15;

/**
 * Every namespaced resource kubelab serves, what a namespace is emptied of. Kubernetes finds them
 * by discovery; kubelab's set is known. Workloads come first so that they stop making pods the
 * moment before their pods go (creates in a terminating namespace are refused anyway).
 */
export const NAMESPACED_RESOURCES: readonly GroupVersionResource[] = [
  Resources.deployments,
  Resources.daemonsets,
  Resources.statefulsets,
  Resources.replicasets,
  Resources.controllerrevisions,
  Resources.horizontalpodautoscalers,
  Resources.pods,
  Resources.services,
  Resources.endpoints,
  Resources.endpointslices,
  Resources.configmaps,
  Resources.secrets,
  Resources.serviceaccounts,
  Resources.leases,
  Resources.events,
];

/** Content is still going away; look again in about this many seconds (ResourcesRemainingError). */
export class ResourcesRemainingError extends Error {
  override readonly name = 'ResourcesRemainingError';
  constructor(readonly estimateSeconds: number) {
    super(`some content remains in the namespace, estimate ${estimateSeconds} seconds before it is removed`);
  }
}

/** What deleting one resource's objects left. */
interface ResourceDeletion {
  estimateSeconds: number;
  remaining: number;
  finalizers: Map<string, number>;
  error?: string;
}

/**
 * namespacedResourcesDeleter (pkg/controller/namespace/deletion): empties a namespace that is
 * being deleted, then removes the `kubernetes` finalizer from its spec through the finalize
 * subresource, after which the apiserver deletes it. Objects that take time to go (pods on a
 * node, which wait out their grace period; objects with finalizers) make it throw
 * ResourcesRemainingError with an estimate; the namespace's status conditions say what is left.
 */
export class NamespacedResourcesDeleter {
  constructor(
    private readonly client: ObjectsClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Delete: resolves when there is nothing left to do; throws to be called again. */
  async delete(name: string): Promise<void> {
    let ns = await this.getNamespace(name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await this.retryOnConflict(ns, (latest) => this.client.updateStatus(Resources.namespaces, { ...latest, status: { ...latest.status, phase: 'Terminating' } }));
      if (!ns) return;
    }
    if (!finalizersOf(ns).includes(FINALIZER_KUBERNETES)) return;
    const { estimate, namespace } = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    await this.retryOnConflict(namespace, (latest) => this.client.finalize(Resources.namespaces, { ...latest, spec: { ...latest.spec, finalizers: finalizersOf(latest).filter((f) => f !== FINALIZER_KUBERNETES) } }));
    this.log.info({ namespace: name }, 'namespace emptied and finalized');
  }

  /** deleteAllContent: deletes what each resource has in the namespace, writes the conditions; the seconds still to wait. */
  private async deleteAllContent(ns: KubeObject): Promise<{ estimate: number; namespace: KubeObject }> {
    const namespace = ns.metadata.name!;
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp!);
    const totals: ContentTotals = { remainingByResource: new Map(), remainingByFinalizer: new Map(), deleteErrors: [] };
    let estimate = 0;
    for (const gvr of NAMESPACED_RESOURCES) {
      const result = await this.deleteAllContentForResource(gvr, namespace, deletedAt);
      if (result.error) totals.deleteErrors.push(result.error);
      estimate = Math.max(estimate, result.estimateSeconds);
      if (result.remaining > 0) {
        totals.remainingByResource.set(`${gvr.resource}.${gvr.group}`, result.remaining);
        for (const [finalizer, n] of result.finalizers) totals.remainingByFinalizer.set(finalizer, (totals.remainingByFinalizer.get(finalizer) ?? 0) + n);
      }
    }
    // Always written when they moved, so a condition that went bad and got better says so.
    const { conditions, changed } = mergeConditions(ns.status?.conditions as NamespaceCondition[] | undefined, deletionConditions(totals), metaTime(this.clock.now()));
    let latest = ns;
    if (changed) {
      try {
        latest = await this.client.updateStatus(Resources.namespaces, { ...ns, status: { ...ns.status, conditions } });
      } catch (error) {
        this.log.warn({ namespace, err: (error as Error).message }, "couldn't update status condition for namespace");
      }
    }
    if (totals.deleteErrors.length) throw new Error(totals.deleteErrors.length === 1 ? totals.deleteErrors[0]! : `[${totals.deleteErrors.join(', ')}]`);
    return { estimate, namespace: latest };
  }

  /** deleteAllContentForGroupVersionResource: deletes every object, counts what is still there and why. */
  private async deleteAllContentForResource(gvr: GroupVersionResource, namespace: string, deletedAt: number): Promise<ResourceDeletion> {
    const none: ResourceDeletion = { estimateSeconds: 0, remaining: 0, finalizers: new Map() };
    let items: KubeObject[];
    try {
      items = (await this.client.list(gvr, { namespace })).items;
    } catch (error) {
      return { ...none, error: (error as Error).message };
    }
    const estimateSeconds = gvr === Resources.pods ? this.estimateGracefulTerminationForPods(items, deletedAt) : 0;
    const remaining: KubeObject[] = [];
    for (const item of items) {
      if (item.metadata.deletionTimestamp) {
        remaining.push(item);
        continue;
      }
      try {
        // Background: the garbage collector takes the dependents; nothing is orphaned.
        const { object, finished } = await this.client.delete(gvr, namespace, item.metadata.name!, { propagationPolicy: 'Background' });
        if (!finished) remaining.push(object);
      } catch (error) {
        if (!isNotFound(error)) return { ...none, estimateSeconds, error: (error as Error).message };
      }
    }
    if (remaining.length === 0) return none;
    const finalizers = new Map<string, number>();
    for (const item of remaining) for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimateSeconds > 0) return { estimateSeconds, remaining: remaining.length, finalizers };
    // Finalizers are a normal reason to wait: give them time.
    if (finalizers.size > 0) return { estimateSeconds: FINALIZER_ESTIMATE_SECONDS, remaining: remaining.length, finalizers };
    return { estimateSeconds, remaining: remaining.length, finalizers, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${gvr.group}/${gvr.version}, Resource=${gvr.resource}` };
  }

  /**
   * estimateGracefulTerminationForPods: the longest grace period of the pods that have not
   * finished, or 0 once that long has passed since the namespace was deleted.
   */
  private estimateGracefulTerminationForPods(pods: KubeObject[], deletedAt: number): number {
    let estimate = 0;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const grace = (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
      if (grace !== undefined && grace > estimate) estimate = grace;
    }
    return this.clock.now() - deletedAt >= estimate * 1000 ? 0 : estimate;
  }

  private async getNamespace(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(Resources.namespaces, undefined, name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** retryOnConflictError: on 409, read the namespace again (the same one: same uid) and retry; undefined once it is gone. */
  private async retryOnConflict(ns: KubeObject, write: (latest: KubeObject) => Promise<KubeObject>): Promise<KubeObject | undefined> {
    let latest = ns;
    for (;;) {
      try {
        return await write(latest);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isConflict(error)) throw error;
      }
      const fresh = await this.getNamespace(latest.metadata.name!);
      if (!fresh) return undefined;
      if (fresh.metadata.uid !== latest.metadata.uid) throw new Error('namespace uid has changed across retries');
      latest = fresh;
    }
  }
}

function finalizersOf(ns: KubeObject): string[] {
  return (ns.spec?.finalizers as string[] | undefined) ?? [];
}
