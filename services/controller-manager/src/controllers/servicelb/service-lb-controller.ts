import { isNotFound, ItemExponentialFailureRateLimiter, metaNamespaceKey, Resources, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import type { ControllerContext } from '../../controller/context';
import { QueueController } from '../../controller/queue-controller';
import { semanticEqual } from '../../controller/semantic-equal';
import { allocate } from './ip-pool';
import { lbSpec, LOAD_BALANCER_CLEANUP_FINALIZER, needsCleanup, needsUpdate, wantsLoadBalancer } from './needs-update';

/** The service controller retries a failed sync after 5 s, doubling to 5 min (minRetryDelay, maxRetryDelay). */
const MIN_RETRY_DELAY_MS = 5_000;
const MAX_RETRY_DELAY_MS = 300_000;
/** The cloud provider's --concurrent-service-syncs default. */
const CONCURRENT_SYNCS = 1;

interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
}

/**
 * The service load balancer controller (the cloud provider's service controller,
 * k8s.io/cloud-provider/controllers/service), with the lab's pool of addresses as the cloud: a
 * `type: LoadBalancer` Service gets an address from `--load-balancer-ip-pool` in
 * `status.loadBalancer.ingress` (`kubectl get svc` shows `<pending>` until then), keeps it, and
 * gives it back when it is deleted or changes type. A finalizer keeps the Service until its
 * address is released. Services with a loadBalancerClass belong to another implementation.
 */
export class ServiceLBController extends QueueController {
  private readonly serviceInformer: Informer<KubeObject>;
  private readonly recorder: EventRecorder;
  /** What this controller handed out, by Service key: the cache may not show it yet. */
  private readonly assigned = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    // Two workers never hand out one address twice: an allocation is made and recorded in one synchronous step.
    super('service-lb-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS, rateLimiter: new ItemExponentialFailureRateLimiter<string>(MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS) });
    this.serviceInformer = ctx.informers.informer(Resources.services);
    this.recorder = ctx.recorder('service-controller');
    this.serviceInformer.addEventHandler({
      onAdd: (service) => {
        // Cleanup here too: a change made while the controller was away is caught up on.
        if (wantsLoadBalancer(service) || needsCleanup(service)) this.enqueue(service);
      },
      onUpdate: (old, service) => {
        const { update, event } = needsUpdate(old, service);
        if (event) this.recorder.event(service, 'Normal', event.reason, event.message);
        if (update || needsCleanup(service)) this.enqueue(service);
      },
      // A Service deleted without our finalizer still holds an address here.
      onDelete: (service) => {
        if (this.assigned.has(metaNamespaceKey(service))) this.enqueue(service);
      },
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.serviceInformer];
  }

  /** syncService; a failure is reported, then retried after the service controller's own back-off. */
  async reconcile(key: string): Promise<void> {
    const service = this.serviceInformer.indexer.getByKey(key);
    if (!service) {
      this.release(key);
      return;
    }
    try {
      await this.syncLoadBalancerIfNeeded(key, service);
    } catch (error) {
      this.recorder.event(service, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: ${(error as Error).message}`);
      throw error;
    }
  }

  private async syncLoadBalancerIfNeeded(key: string, service: KubeObject): Promise<void> {
    const previous = (service.status?.loadBalancer ?? {}) as { ingress?: LoadBalancerIngress[] };
    let next: { ingress?: LoadBalancerIngress[] };
    if (!wantsLoadBalancer(service) || needsCleanup(service)) {
      next = {};
      if (this.assigned.has(key) || previous.ingress?.length) {
        this.recorder.event(service, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
        this.release(key);
      }
      // Only now may the Service go: its address is free.
      await this.setFinalizer(service, false).catch((error: Error) => {
        throw new Error(`failed to remove load balancer cleanup finalizer: ${error.message}`);
      });
      this.recorder.event(service, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    } else {
      this.recorder.event(service, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      // First the finalizer: from now on the Service cannot go before its address is given back.
      await this.setFinalizer(service, true).catch((error: Error) => {
        throw new Error(`failed to add load balancer cleanup finalizer: ${error.message}`);
      });
      const allocation = allocate({
        pool: this.ctx.loadBalancerIPPool,
        taken: this.takenByOthers(key),
        requested: lbSpec(service).loadBalancerIP || undefined,
        current: previous.ingress?.find((i) => i.ip)?.ip,
      });
      if ('error' in allocation) throw new Error(`failed to ensure load balancer: ${allocation.error}`);
      const before = this.assigned.get(key);
      this.assigned.set(key, allocation.ip);
      if (before && before !== allocation.ip) this.enqueuePending(key);
      next = { ingress: [{ ip: allocation.ip, ipMode: 'VIP' }] };
      this.recorder.event(service, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    }
    if (semanticEqual(previous, next)) return;
    try {
      // patchStatus: status.loadBalancer through the status subresource, whatever else changed
      // meanwhile (no resourceVersion: the cache may be behind an edit of the spec). LoadBalancerStatus
      // has ingress only, an atomic list: it is replaced whole, or removed.
      await this.ctx.client.patch(Resources.services, service.metadata.namespace, service.metadata.name!, 'application/strategic-merge-patch+json', { status: { loadBalancer: { ingress: next.ingress ?? null } } }, { subresource: 'status' });
    } catch (error) {
      // Gone right after its finalizer went: nothing left to write.
      if (!isNotFound(error)) throw new Error(`failed to update load balancer status: ${(error as Error).message}`);
    }
  }

  /**
   * Adds or removes the cleanup finalizer (addFinalizer / removeFinalizer). As
   * servicehelper.PatchService, a strategic merge patch without a resourceVersion, so an edit
   * the cache has not seen yet is no conflict; metadata.finalizers merges as a set, so the patch
   * adds or removes this one finalizer and leaves any other, even one the cache does not show.
   * The uid guards it: a Service deleted and created again under the name is another Service
   * (its uid is immutable: Kubernetes' apiserver refuses the patch).
   */
  private async setFinalizer(service: KubeObject, present: boolean): Promise<void> {
    if ((service.metadata.finalizers ?? []).includes(LOAD_BALANCER_CLEANUP_FINALIZER) === present) return;
    const uid = service.metadata.uid;
    const patch = present
      ? { metadata: { uid, finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER] } }
      : { metadata: { uid, '$deleteFromPrimitiveList/finalizers': [LOAD_BALANCER_CLEANUP_FINALIZER] } };
    await this.ctx.client.patch(Resources.services, service.metadata.namespace, service.metadata.name!, 'application/strategic-merge-patch+json', patch);
  }

  /**
   * The pool addresses other Services hold: what this controller gave them, or for those it has
   * not seen yet (after a restart) what their status says. A Service no longer wanting one (being
   * deleted, another type) holds none.
   */
  private takenByOthers(key: string): Set<string> {
    const taken = new Set<string>();
    for (const [other, ip] of this.assigned) if (other !== key) taken.add(ip);
    for (const service of this.serviceInformer.indexer.list()) {
      const other = metaNamespaceKey(service);
      if (other === key || this.assigned.has(other) || !wantsLoadBalancer(service) || service.metadata.deletionTimestamp) continue;
      const ingress = ((service.status?.loadBalancer as { ingress?: LoadBalancerIngress[] } | undefined)?.ingress ?? []);
      for (const { ip } of ingress) if (ip) taken.add(ip);
    }
    return taken;
  }

  /** Gives the Service's address back to the pool, and lets the Services waiting for one try again. */
  private release(key: string): void {
    if (!this.assigned.delete(key)) return;
    this.enqueuePending(key);
  }

  /** The lab's cloud tells the Services still `<pending>` that an address came free. */
  private enqueuePending(except: string): void {
    for (const service of this.serviceInformer.indexer.list()) {
      const key = metaNamespaceKey(service);
      const ingress = (service.status?.loadBalancer as { ingress?: LoadBalancerIngress[] } | undefined)?.ingress ?? [];
      if (key !== except && wantsLoadBalancer(service) && !this.assigned.has(key) && ingress.length === 0) this.enqueue(key);
    }
  }
}
