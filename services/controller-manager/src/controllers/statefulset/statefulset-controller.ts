import { Resources, splitMetaNamespaceKey, type Informer, type KubeObject } from '@kubelab/client';
import { labelSelectorAsSelector, type LabelSelector } from '@kubelab/apimachinery';
import type { ControllerContext } from '../../controller/context';
import { ControllerHistory, type ControllerRevision } from '../../controller/controller-history';
import { ControllerLister } from '../../controller/controller-lister';
import { controllerOf } from '../../controller/controller-ref';
import { ControllerRefManager, recheckDeletionTimestamp } from '../../controller/controller-ref-manager';
import { isPodReady } from '../../controller/pod-util';
import { QueueController } from '../../controller/queue-controller';
import { isMemberOf, replicasOf, setRef } from './stateful-pod';
import { StatefulPodControl } from './stateful-pod-control';
import { StatefulSetControl } from './stateful-set-control';
import type { Pod, StatefulSet } from './types';

/** kube-controller-manager's --concurrent-statefulset-syncs default. */
const CONCURRENT_SYNCS = 5;

/**
 * The StatefulSet controller (pkg/controller/statefulset): pods with stable names `<set>-0`,
 * `<set>-1`, ... and stable DNS names through the set's headless Service, created in order and
 * removed in reverse order, each recreated under its own name when it fails or is deleted, and
 * updated from the highest ordinal down. The template's versions are ControllerRevisions;
 * status.currentRevision and updateRevision name them, and each pod's controller-revision-hash
 * label says which it runs.
 */
export class StatefulSetController extends QueueController {
  private readonly sets: Informer<StatefulSet>;
  private readonly setLister: ControllerLister<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly history: ControllerHistory;
  private readonly control: StatefulSetControl;

  constructor(ctx: ControllerContext) {
    super('statefulset-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS });
    this.sets = ctx.informers.informer<StatefulSet>(Resources.statefulsets);
    this.setLister = new ControllerLister(this.sets.indexer, 'StatefulSet');
    this.pods = ctx.informers.informer<Pod>(Resources.pods);
    this.revisions = ctx.informers.informer<ControllerRevision>(Resources.controllerrevisions);
    this.history = new ControllerHistory(ctx.client, this.revisions.indexer);
    this.control = new StatefulSetControl(ctx.client, new StatefulPodControl(ctx.client, ctx.recorder('statefulset-controller')), this.history, ctx.clock);

    this.sets.addEventHandler({
      onAdd: (set) => this.enqueue(set),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (set) => this.enqueue(set),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.pods, this.sets, this.revisions] as Informer<KubeObject>[];
  }

  /** sync: adopt orphaned revisions, claim the pods, run the update loop. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.sets.indexer.get(namespace, name);
    if (!cached) return;
    const set = structuredClone(cached);
    let selector: LabelSelector;
    try {
      selector = labelSelectorAsSelector(set.spec.selector);
    } catch (error) {
      // Not going to get better by retrying.
      this.log.warn({ statefulset: key, err: (error as Error).message }, 'invalid selector');
      return;
    }
    const canAdopt = recheckDeletionTimestamp(this.ctx.client, Resources.statefulsets, set);
    await this.adoptOrphanRevisions(set, selector, canAdopt);
    const manager = new ControllerRefManager(this.ctx.client, set, setRef(set), selector, canAdopt);
    // Only pods named as its members are the set's, whatever their labels.
    const pods = await manager.claim(Resources.pods, this.pods.indexer.byIndex('namespace', namespace ?? ''), (pod) => isMemberOf(set, pod));
    const status = await this.control.updateStatefulSet(set, pods);
    // Pods ready but not yet available become available minReadySeconds later: look again then.
    const minReadySeconds = set.spec.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status.availableReplicas !== replicasOf(set)) this.enqueueAfter(set, minReadySeconds * 1000);
  }

  private async adoptOrphanRevisions(set: StatefulSet, selector: LabelSelector, canAdopt: () => Promise<void>): Promise<void> {
    const orphans = this.history.listControllerRevisions(set, selector).filter((r) => !controllerOf(r));
    if (orphans.length === 0) return;
    try {
      await canAdopt();
    } catch (error) {
      throw new Error(`can't adopt ControllerRevisions: ${(error as Error).message}`, { cause: error });
    }
    for (const revision of orphans) await this.history.adoptControllerRevision(setRef(set), revision);
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    for (const set of this.setLister.toSyncOnAdd(pod)) this.enqueue(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    for (const set of this.setLister.toSyncOnUpdate(old, cur)) this.enqueue(set);
    // Ready now, available minReadySeconds later.
    if (isPodReady(old) || !isPodReady(cur)) return;
    const set = this.setLister.controllerOf(cur);
    const minReadySeconds = set?.spec.minReadySeconds ?? 0;
    if (set && minReadySeconds > 0) this.enqueueAfter(set, minReadySeconds * 1000);
  }

  private deletePod(pod: Pod): void {
    const set = this.setLister.controllerOf(pod);
    if (set) this.enqueue(set);
  }
}
