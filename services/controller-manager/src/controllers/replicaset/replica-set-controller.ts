import { isConflict, isNotFound, metaNamespaceKey, NAMESPACE_INDEX, Resources, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import { labelSelectorAsSelector, type LabelSelector, type LabelSelectorObject, type OwnerReference } from '@kubelab/apimachinery';
import type { ControllerContext } from '../../controller/context';
import { ControllerLister } from '../../controller/controller-lister';
import { controllerOf, newControllerRef } from '../../controller/controller-ref';
import { ControllerExpectations } from '../../controller/expectations';
import { ControllerRefManager, recheckDeletionTimestamp } from '../../controller/controller-ref-manager';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { isPodActive, isPodReady, podFromTemplate } from '../../controller/pod-util';
import { QueueController } from '../../controller/queue-controller';
import { podsToDelete } from './active-pods';
import { calculateStatus, replicasOf, statusUpToDate, type ReplicaSetStatus } from './replica-set-status';
import { slowStartBatch } from './slow-start';
import { UIDTrackingExpectations } from './uid-tracking-expectations';

/** Pods created or deleted in one sync at most; the rest wait for the next (BurstReplicas). */
const BURST_REPLICAS = 500;
/** controller.SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** kube-controller-manager's --concurrent-replicaset-syncs default. */
const CONCURRENT_SYNCS = 5;
/** ReplicaSets by the uid of their controller (a Deployment), to find a Deployment's other ReplicaSets. */
const CONTROLLER_UID_INDEX = 'controllerUID';

const API_VERSION = 'apps/v1';
const KIND = 'ReplicaSet';

function controllerUIDs(rs: KubeObject): string[] {
  const ref = controllerOf(rs);
  return ref ? [ref.uid] : [];
}

/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps `spec.replicas` active pods that
 * match each ReplicaSet's selector. It adopts matching orphans and releases pods that stopped
 * matching, creates the missing pods from the template (in slow-start batches) and deletes the
 * surplus, the least valuable first (see active-pods.ts), then writes the counts into the status.
 * Expectations keep it from acting twice on the same shortfall before its informer has seen the
 * pods it just created or deleted.
 */
export class ReplicaSetController extends QueueController {
  private readonly rsInformer: Informer<KubeObject>;
  private readonly rsLister: ControllerLister<KubeObject>;
  private readonly podInformer: Informer<KubeObject>;
  private readonly recorder: EventRecorder;
  private readonly expectations: UIDTrackingExpectations;

  constructor(ctx: ControllerContext) {
    super('replicaset-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS });
    this.rsInformer = ctx.informers.informer(Resources.replicasets, { [CONTROLLER_UID_INDEX]: controllerUIDs });
    this.rsLister = new ControllerLister(this.rsInformer.indexer, KIND);
    this.podInformer = ctx.informers.informer(Resources.pods);
    this.recorder = ctx.recorder('replicaset-controller');
    this.expectations = new UIDTrackingExpectations(new ControllerExpectations(ctx.clock));
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.rsDeleted(old);
        this.enqueue(cur);
      },
      onDelete: (rs) => this.rsDeleted(rs),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, cur) => this.podUpdated(old, cur),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.rsInformer, this.podInformer];
  }

  /** syncReplicaSet; a 409 Conflict (a stale cache) is only a reason to come back. */
  async reconcile(key: string): Promise<void> {
    try {
      await this.syncReplicaSet(key);
    } catch (error) {
      if (!isConflict(error)) throw error;
      this.log.debug({ key, err: (error as Error).message }, 'conflict; requeued');
      this.queue.addRateLimited(key);
    }
  }

  private async syncReplicaSet(key: string): Promise<void> {
    const rs = this.rsInformer.indexer.getByKey(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = labelSelectorAsSelector(rs.spec?.selector as LabelSelectorObject);
    } catch (error) {
      this.log.error({ key, err: (error as Error).message }, 'invalid selector');
      return;
    }
    // Every pod of the namespace: those we own that no longer match must be released too.
    const active = this.podInformer.indexer.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '').filter(isPodActive);
    const pods = await this.claimPods(rs, selector, active);
    let manageError: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      manageError = await this.manageReplicas(pods, rs).then(
        () => undefined,
        (error: Error) => error,
      );
    }
    const status = calculateStatus(rs, pods, manageError, this.ctx.clock.now());
    const updated = await this.updateStatus(rs, status);
    // The pods become available after minReadySeconds with no event to say so: look again then.
    const minReadySeconds = Number(rs.spec?.minReadySeconds ?? 0);
    const s = updated.status as Partial<ReplicaSetStatus>;
    if (!manageError && minReadySeconds > 0 && (s.readyReplicas ?? 0) === replicasOf(updated) && (s.availableReplicas ?? 0) !== replicasOf(updated)) {
      this.enqueueAfter(key, minReadySeconds * 1000);
    }
    if (manageError) throw manageError;
  }

  private claimPods(rs: KubeObject, selector: LabelSelector, pods: KubeObject[]): Promise<KubeObject[]> {
    const canAdopt = recheckDeletionTimestamp(this.ctx.client, Resources.replicasets, rs);
    return new ControllerRefManager(this.ctx.client, rs, newControllerRef(rs, API_VERSION, KIND), selector, canAdopt).claim(Resources.pods, pods);
  }

  /** Creates or deletes pods so that `pods` (the active pods it owns) becomes spec.replicas. */
  private async manageReplicas(pods: KubeObject[], rs: KubeObject): Promise<void> {
    const key = metaNamespaceKey(rs);
    const diff = pods.length - replicasOf(rs);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      const ref = newControllerRef(rs, API_VERSION, KIND);
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, () => this.createPod(rs, ref));
      // The pods never asked for (or refused) will never be seen.
      for (let skipped = count - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.indirectlyRelatedPods(rs), count, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map((pod) => metaNamespaceKey(pod)));
      const errors = await Promise.all(
        victims.map((pod) =>
          this.deletePod(rs, pod).then(
            () => undefined,
            (error: Error) => {
              // A delete that failed will never be seen.
              this.expectations.deletionObserved(key, metaNamespaceKey(pod));
              return isNotFound(error) ? undefined : error;
            },
          ),
        ),
      );
      const first = errors.find((e) => e !== undefined);
      if (first) throw first;
    }
  }

  /** RealPodControl.CreatePods: a pod from the template, named `<rs>-<random>`, and its event. */
  private async createPod(rs: KubeObject, ref: OwnerReference): Promise<void> {
    const pod = podFromTemplate(rs.spec?.template as KubeObject | undefined, rs.metadata.namespace!, `${rs.metadata.name}-`, ref);
    if (!Object.keys(pod.metadata.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.ctx.client.create(Resources.pods, pod);
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (error) {
      // A namespace going away refuses every create: nothing to report, nothing to retry.
      if (hasNamespaceTerminatingCause(error)) return;
      this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
      throw error;
    }
  }

  /** RealPodControl.DeletePod. */
  private async deletePod(rs: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(Resources.pods, pod.metadata.namespace, pod.metadata.name!);
    } catch (error) {
      if (!isNotFound(error)) this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(error as Error).message}`);
      throw error;
    }
    this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  }

  /** The pods of every ReplicaSet with the same controller (getIndirectlyRelatedPods), each once. */
  private indirectlyRelatedPods(rs: KubeObject): KubeObject[] {
    const ref = controllerOf(rs);
    if (!ref) return [];
    const seen = new Map<string, KubeObject>();
    for (const related of this.rsInformer.indexer.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
      let selector: LabelSelector;
      try {
        selector = labelSelectorAsSelector(related.spec?.selector as LabelSelectorObject);
      } catch {
        continue;
      }
      for (const pod of this.podInformer.indexer.byIndex(NAMESPACE_INDEX, related.metadata.namespace ?? '')) {
        if (selector.matches(pod.metadata.labels ?? {}) && !seen.has(pod.metadata.uid!)) seen.set(pod.metadata.uid!, pod);
      }
    }
    return [...seen.values()];
  }

  /** updateReplicaSetStatus: writes the status if it changed, with observedGeneration; one retry on a fresh copy. */
  private async updateStatus(rs: KubeObject, status: ReplicaSetStatus): Promise<KubeObject> {
    if (statusUpToDate(rs, status)) return rs;
    // The generation this sync looked at, even when the retry writes onto a newer copy.
    const next = { ...status, ...(rs.metadata.generation ? { observedGeneration: rs.metadata.generation } : {}) };
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.ctx.client.updateStatus(Resources.replicasets, { ...current, status: next });
      } catch (error) {
        if (attempt >= 1) throw error;
        current = await this.ctx.client.get(Resources.replicasets, rs.metadata.namespace, rs.metadata.name!);
      }
    }
  }

  private rsDeleted(rs: KubeObject): void {
    const key = metaNamespaceKey(rs);
    // A ReplicaSet made again under the same name starts with clean expectations.
    this.expectations.delete(key);
    this.enqueue(key);
  }

  private podAdded(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen for the first time already going (a controller-manager restart): that is a deletion.
      this.podDeleted(pod);
      return;
    }
    // An orphan was expected by no one; every ReplicaSet that selects it may want to adopt it.
    const rs = this.rsLister.controllerOf(pod);
    if (rs) this.expectations.creationObserved(metaNamespaceKey(rs));
    for (const toSync of this.rsLister.toSyncOnAdd(pod)) this.enqueue(toSync);
  }

  private podUpdated(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion: act now, not when the kubelet finally removes the pod.
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    for (const rs of this.rsLister.toSyncOnUpdate(old, cur)) this.enqueue(rs);
    // Ready now, available later: come back then (and a second more for clock skew).
    if (isPodReady(old) || !isPodReady(cur)) return;
    const rs = this.rsLister.controllerOf(cur);
    const minReadySeconds = Number(rs?.spec?.minReadySeconds ?? 0);
    if (rs && minReadySeconds > 0) this.enqueueAfter(rs, (minReadySeconds + 1) * 1000);
  }

  private podDeleted(pod: KubeObject): void {
    const rs = this.rsLister.controllerOf(pod);
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObserved(key, metaNamespaceKey(pod));
    this.enqueue(key);
  }
}
