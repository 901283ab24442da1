import { isConflict, NAMESPACE_INDEX, Resources, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import { labelSelectorAsSelector, type LabelSelector, type LabelSelectorObject } from '@kubelab/apimachinery';
import type { ControllerContext } from '../../controller/context';
import { ControllerLister } from '../../controller/controller-lister';
import { controllerOf, newControllerRef } from '../../controller/controller-ref';
import { ControllerRefManager, recheckDeletionTimestamp } from '../../controller/controller-ref-manager';
import { QueueController } from '../../controller/queue-controller';
import { DeploymentSync } from './deployment-sync';
import { rolloutRecreate } from './recreate';
import { rolloutRolling } from './rolling';

/** kube-controller-manager's --concurrent-deployment-syncs default. */
const CONCURRENT_SYNCS = 5;
const API_VERSION = 'apps/v1';
const KIND = 'Deployment';

/**
 * The Deployment controller (pkg/controller/deployment): owns a ReplicaSet per pod template,
 * named `<deployment>-<pod-template-hash>`, and moves pods from the old ones to the new one by
 * the Deployment's strategy, RollingUpdate (within maxSurge / maxUnavailable) or Recreate. It
 * numbers revisions (a rollback makes an old ReplicaSet the newest), keeps
 * revisionHistoryLimit old ones, honours spec.paused, scales proportionally during a rollout,
 * and reports progress in the status (the counts and the Available / Progressing conditions
 * `kubectl rollout status` reads). It never touches pods; the ReplicaSet controller does.
 */
export class DeploymentController extends QueueController {
  private readonly dInformer: Informer<KubeObject>;
  private readonly dLister: ControllerLister<KubeObject>;
  private readonly rsInformer: Informer<KubeObject>;
  private readonly podInformer: Informer<KubeObject>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('deployment-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS });
    this.dInformer = ctx.informers.informer(Resources.deployments);
    this.dLister = new ControllerLister(this.dInformer.indexer, KIND);
    this.rsInformer = ctx.informers.informer(Resources.replicasets);
    this.podInformer = ctx.informers.informer(Resources.pods);
    this.recorder = ctx.recorder('deployment-controller');
    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.replicaSetAdded(rs),
      onUpdate: (old, cur) => {
        for (const d of this.dLister.toSyncOnUpdate(old, cur)) this.enqueue(d);
      },
      onDelete: (rs) => this.replicaSetDeleted(rs),
    });
    this.podInformer.addEventHandler({ onDelete: (pod) => this.podDeleted(pod) });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.dInformer, this.rsInformer, this.podInformer];
  }

  /** syncDeployment; a 409 Conflict (a stale cache) is only a reason to come back. */
  async reconcile(key: string): Promise<void> {
    try {
      await this.syncDeployment(key);
    } catch (error) {
      if (!isConflict(error)) throw error;
      this.log.debug({ key, err: (error as Error).message }, 'conflict; requeued');
      this.queue.addRateLimited(key);
    }
  }

  private async syncDeployment(key: string): Promise<void> {
    const cached = this.dInformer.indexer.getByKey(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const sync = new DeploymentSync(d, {
      client: this.ctx.client,
      recorder: this.recorder,
      now: () => this.ctx.clock.now(),
      cachedReplicaSet: (namespace, name) => this.rsInformer.indexer.get(namespace, name),
      requeueAfter: (ms) => (ms === 0 ? this.queue.addRateLimited(key) : this.enqueueAfter(key, ms)),
    });
    let selector: LabelSelector;
    try {
      selector = labelSelectorAsSelector(d.spec?.selector as LabelSelectorObject);
    } catch (error) {
      throw new Error(`deployment ${key} has invalid label selector: ${(error as Error).message}`);
    }
    if (selector.isEmpty()) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if (Number(sync.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        sync.status.observedGeneration = d.metadata.generation;
        await sync.write({ status: true });
      }
      return;
    }
    const rsList = await this.replicaSetsFor(d, selector);
    if (d.metadata.deletionTimestamp) return sync.syncStatusOnly(rsList);
    await sync.checkPausedConditions();
    if (d.spec?.paused) return sync.sync(rsList);
    if (await sync.isScalingEvent(rsList)) return sync.sync(rsList);
    const type = (d.spec?.strategy as { type?: string } | undefined)?.type ?? 'RollingUpdate';
    // Only Recreate reads the pods (it waits for the old ones to be gone): the others need no pass over them.
    if (type === 'Recreate') return rolloutRecreate(sync, rsList, this.podMapFor(d, selector, rsList));
    if (type === 'RollingUpdate') return rolloutRolling(sync, rsList);
    throw new Error(`unexpected deployment strategy type: ${type}`);
  }

  /** getReplicaSetsForDeployment: the ReplicaSets it owns, after adopting and releasing by its selector. */
  private replicaSetsFor(d: KubeObject, selector: LabelSelector): Promise<KubeObject[]> {
    const all = this.rsInformer.indexer.byIndex(NAMESPACE_INDEX, d.metadata.namespace ?? '');
    const canAdopt = recheckDeletionTimestamp(this.ctx.client, Resources.deployments, d);
    return new ControllerRefManager(this.ctx.client, d, newControllerRef(d, API_VERSION, KIND), selector, canAdopt).claim(Resources.replicasets, all);
  }

  /** getPodMapForDeployment: its pods by the uid of their ReplicaSet (Recreate waits for the old ones to be gone). */
  private podMapFor(d: KubeObject, selector: LabelSelector, rsList: KubeObject[]): Map<string, KubeObject[]> {
    const podMap = new Map<string, KubeObject[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const pod of this.podInformer.indexer.byIndex(NAMESPACE_INDEX, d.metadata.namespace ?? '')) {
      if (!selector.matches(pod.metadata.labels ?? {})) continue;
      podMap.get(controllerOf(pod)?.uid ?? '')?.push(pod);
    }
    return podMap;
  }

  private replicaSetAdded(rs: KubeObject): void {
    if (rs.metadata.deletionTimestamp) return this.replicaSetDeleted(rs);
    for (const d of this.dLister.toSyncOnAdd(rs)) this.enqueue(d);
  }

  private replicaSetDeleted(rs: KubeObject): void {
    const d = this.dLister.controllerOf(rs);
    if (d) this.enqueue(d);
  }

  /** A Recreate rollout waits for old pods to be gone: their deletion may let it go on. */
  private podDeleted(pod: KubeObject): void {
    const rsRef = controllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.indexer.get(pod.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = this.dLister.controllerOf(rs);
    if (d && (d.spec?.strategy as { type?: string } | undefined)?.type === 'Recreate') this.enqueue(d);
  }
}
