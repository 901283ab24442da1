import { isNotFound, metaNamespaceKey, Resources, splitMetaNamespaceKey, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import { labelSelectorAsSelector } from '@kubelab/apimachinery';
import type { ControllerContext } from '../../controller/context';
import type { ControllerRevision } from '../../controller/controller-history';
import { ControllerLister } from '../../controller/controller-lister';
import { controllerOf } from '../../controller/controller-ref';
import { ControllerRefManager, recheckDeletionTimestamp } from '../../controller/controller-ref-manager';
import { ControllerExpectations } from '../../controller/expectations';
import { isPodReady } from '../../controller/pod-util';
import { QueueController } from '../../controller/queue-controller';
import { createPodTemplate, DAEMONSET_UNIQUE_LABEL, templateGeneration } from './daemon-pod';
import { DaemonSetHistory, dsRef } from './daemonset-history';
import { calculateDaemonSetStatus, statusUpToDate } from './daemonset-status';
import { FailedPodsBackoff } from './failed-pods-backoff';
import { getTargetNodeName, replaceDaemonSetPodNodeNameNodeAffinity } from './node-affinity';
import { nodeShouldRunDaemonPod } from './node-should-run';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { PodControl } from './pod-control';
import { getUnscheduledPodsWithoutNode, podsShouldBeOnNode } from './pods-on-node';
import { rollingUpdate } from './rolling-update';
import type { DaemonSet, Node, Pod } from './types';

/** At most this many pods are created or deleted in one sync (BurstReplicas): a registry is not flooded. */
const BURST_REPLICAS = 250;
/** kube-controller-manager's --concurrent-daemonset-syncs default. */
const CONCURRENT_SYNCS = 2;

/**
 * The DaemonSet controller (pkg/controller/daemon): one pod of each DaemonSet on every node that
 * should run it. A sync records the template as a ControllerRevision, creates the missing pods
 * (each pinned to its node by `matchFields metadata.name In [node]` node affinity, for the
 * scheduler to bind), deletes pods on nodes that should not run them and duplicates, replaces
 * old pods as the update strategy allows, and writes the status counts.
 */
export class DaemonSetsController extends QueueController {
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly daemonSetLister: ControllerLister<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly expectations: ControllerExpectations;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly history: DaemonSetHistory;
  private readonly failedPodsBackoff = new FailedPodsBackoff();

  constructor(ctx: ControllerContext) {
    super('daemonset-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS });
    this.daemonSets = ctx.informers.informer<DaemonSet>(Resources.daemonsets);
    this.daemonSetLister = new ControllerLister(this.daemonSets.indexer, 'DaemonSet');
    this.pods = ctx.informers.informer<Pod>(Resources.pods);
    this.nodes = ctx.informers.informer<Node>(Resources.nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(Resources.controllerrevisions);
    this.expectations = new ControllerExpectations(ctx.clock);
    this.recorder = ctx.recorder('daemonset-controller');
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.history = new DaemonSetHistory(ctx.client, this.revisions.indexer);

    this.daemonSets.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (old, cur) => {
        // Deleted and created again under the same name: the old one's expectations are void.
        if (old.metadata.uid !== cur.metadata.uid) this.expectations.delete(metaNamespaceKey(old));
        this.enqueue(cur);
      },
      onDelete: (ds) => {
        this.expectations.delete(metaNamespaceKey(ds));
        this.enqueue(ds);
      },
    });
    this.revisions.addEventHandler({
      onAdd: (revision) => this.addHistory(revision),
      onUpdate: (old, cur) => {
        for (const ds of this.daemonSetLister.toSyncOnUpdate(old, cur)) this.enqueue(ds);
      },
      onDelete: (revision) => {
        const ds = this.daemonSetLister.controllerOf(revision);
        if (ds) this.enqueue(ds);
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
    this.nodes.addEventHandler({
      onAdd: (node) => {
        for (const ds of this.daemonSets.indexer.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
      },
      onUpdate: (old, cur) => {
        if (shouldIgnoreNodeUpdate(old, cur)) return;
        for (const ds of this.daemonSets.indexer.list()) {
          const before = nodeShouldRunDaemonPod(old, ds);
          const after = nodeShouldRunDaemonPod(cur, ds);
          if (before.shouldRun !== after.shouldRun || before.shouldContinueRunning !== after.shouldContinueRunning) this.enqueue(ds);
        }
      },
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.pods, this.nodes, this.revisions, this.daemonSets] as Informer<KubeObject>[];
  }

  /** syncDaemonSet. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.daemonSets.indexer.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    const nodes = this.nodes.indexer.list();
    if (selectsEverything(ds)) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Being deleted: its revisions may be going too, so no status can be trusted; leave it to the garbage collector.
    if (ds.metadata.deletionTimestamp) return;

    const { cur, old } = await this.history.construct(ds, () => this.getDaemonPods(ds));
    const hash = cur.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] ?? '';

    // Until the last creations and deletions are seen, only the status is written, at the generation it had.
    if (!this.expectations.satisfied(key)) return this.updateDaemonSetStatus(ds, nodes, hash, false);

    let syncError: unknown;
    try {
      await this.manage(ds, nodes, hash);
      if (this.expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') await this.rollingUpdate(ds, nodes, hash);
      await this.history.cleanup(ds, old, [...(await this.getNodesToDaemonPods(ds, true)).values()].flat());
    } catch (error) {
      syncError = error;
    }
    try {
      await this.updateDaemonSetStatus(ds, nodes, hash, true);
    } catch (statusError) {
      if (!syncError) throw statusError;
      this.log.warn({ daemonset: key, err: (statusError as Error).message }, 'failed to update status');
    }
    if (syncError) throw syncError;
  }

  /** Creates the pods nodes are missing and deletes the ones that should go. */
  private async manage(ds: DaemonSet, nodes: readonly Node[], hash: string): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    const now = this.ctx.clock.now();
    const nodesNeedingDaemonPods: string[] = [];
    const podsToDelete: string[] = [];
    for (const node of nodes) {
      const plan = podsShouldBeOnNode({ node, daemonPods: nodeToDaemonPods.get(node.metadata.name ?? ''), ds, hash, verdict: nodeShouldRunDaemonPod(node, ds), backoff: this.failedPodsBackoff, now });
      if (plan.createPod) nodesNeedingDaemonPods.push(node.metadata.name!);
      podsToDelete.push(...plan.podsToDelete);
      for (const pod of plan.failedPods) this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node.metadata.name}, will try to kill it`);
      for (const pod of plan.succeededPods) this.recorder.event(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node.metadata.name}, will try to delete it`);
      if (plan.retryAfterMs !== undefined) this.enqueueAfter(ds, plan.retryAfterMs);
    }
    podsToDelete.push(...getUnscheduledPodsWithoutNode(nodes, nodeToDaemonPods));
    await this.syncNodes(ds, podsToDelete, nodesNeedingDaemonPods, hash);
  }

  private async rollingUpdate(ds: DaemonSet, nodes: readonly Node[], hash: string): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    const plan = rollingUpdate({ ds, hash, now: this.ctx.clock.now(), nodes, nodeToDaemonPods, shouldRun: (node) => nodeShouldRunDaemonPod(node, ds).shouldRun });
    await this.syncNodes(ds, plan.oldPodsToDelete, plan.nodesToCreate, hash);
  }

  /**
   * Deletes and creates pods, having first said how many it expects to see (so the next sync
   * waits for them). Creations go in batches of 1, 2, 4...: if one batch fails, the rest is left
   * for a later sync rather than failing the same way many times.
   */
  private async syncNodes(ds: DaemonSet, podsToDelete: readonly string[], nodesNeedingDaemonPods: readonly string[], hash: string): Promise<void> {
    const key = metaNamespaceKey(ds);
    const createDiff = Math.min(nodesNeedingDaemonPods.length, BURST_REPLICAS);
    const deleteDiff = Math.min(podsToDelete.length, BURST_REPLICAS);
    this.expectations.setExpectations(key, createDiff, deleteDiff);
    const errors: unknown[] = [];

    const template = createPodTemplate(ds.spec.template, templateGeneration(ds), hash);
    const controllerRef = dsRef(ds);
    for (let pos = 0, batchSize = Math.min(createDiff, 1); pos < createDiff; ) {
      const errorsBefore = errors.length;
      await Promise.all(
        nodesNeedingDaemonPods.slice(pos, pos + batchSize).map(async (nodeName) => {
          const podTemplate = structuredClone(template);
          podTemplate.spec!.affinity = replaceDaemonSetPodNodeNameNodeAffinity(podTemplate.spec!.affinity, nodeName);
          try {
            await this.podControl.createPod(ds, podTemplate, controllerRef);
          } catch (error) {
            // A namespace being deleted takes every later creation with it.
            if (hasNamespaceTerminatingCause(error)) return;
            this.expectations.creationObserved(key);
            errors.push(error);
          }
        }),
      );
      pos += batchSize;
      const skipped = createDiff - pos;
      if (errors.length > errorsBefore && skipped > 0) {
        this.expectations.lowerExpectations(key, skipped, 0);
        break;
      }
      batchSize = Math.min(2 * batchSize, createDiff - pos);
    }

    await Promise.all(
      podsToDelete.slice(0, deleteDiff).map(async (name) => {
        try {
          await this.podControl.deletePod(ds, name);
        } catch (error) {
          this.expectations.deletionObserved(key);
          if (!isNotFound(error)) errors.push(error);
        }
      }),
    );
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new Error(`[${errors.map((e) => (e as Error).message).join(', ')}]`);
  }

  /** updateDaemonSetStatus: writes the counts (and, after a full sync, observedGeneration) if they changed. */
  private async updateDaemonSetStatus(ds: DaemonSet, nodes: readonly Node[], hash: string, updateObservedGeneration: boolean): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    const counts = calculateDaemonSetStatus({ ds, nodes, nodeToDaemonPods, hash, now: this.ctx.clock.now(), shouldRun: (node) => nodeShouldRunDaemonPod(node, ds).shouldRun });
    if (!statusUpToDate(ds, counts)) {
      const status = { ...ds.status, ...counts, ...(updateObservedGeneration ? { observedGeneration: ds.metadata.generation } : {}) };
      try {
        await this.ctx.client.updateStatus(Resources.daemonsets, { ...ds, status });
      } catch {
        // One retry on a fresh copy (StatusUpdateRetries), then the key is requeued.
        const fresh = await this.ctx.client.get<DaemonSet>(Resources.daemonsets, ds.metadata.namespace, ds.metadata.name!);
        await this.ctx.client.updateStatus(Resources.daemonsets, { ...fresh, status: { ...fresh.status, ...counts, ...(updateObservedGeneration ? { observedGeneration: ds.metadata.generation } : {}) } });
      }
    }
    // Pods ready but not yet available become available minReadySeconds later: look again then.
    const minReadySeconds = ds.spec.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && counts.numberReady !== counts.numberAvailable) this.enqueueAfter(ds, minReadySeconds * 1000);
  }

  /** The DaemonSet's pods (adopting orphans its selector matches, releasing its pods it no longer matches). */
  private getDaemonPods(ds: DaemonSet): Promise<Pod[]> {
    const manager = new ControllerRefManager(this.ctx.client, ds, dsRef(ds), labelSelectorAsSelector(ds.spec.selector), recheckDeletionTimestamp(this.ctx.client, Resources.daemonsets, ds));
    return manager.claim(Resources.pods, this.pods.indexer.byIndex('namespace', ds.metadata.namespace ?? ''));
  }

  /**
   * The DaemonSet's pods by the node they are for. Finished pods already being deleted are left
   * out (the kubelet or the pod garbage collector finishes them) unless `includeDeletedTerminal`.
   */
  private async getNodesToDaemonPods(ds: DaemonSet, includeDeletedTerminal: boolean): Promise<Map<string, Pod[]>> {
    const byNode = new Map<string, Pod[]>();
    for (const pod of await this.getDaemonPods(ds)) {
      const phase = pod.status?.phase;
      if (!includeDeletedTerminal && (phase === 'Failed' || phase === 'Succeeded') && pod.metadata.deletionTimestamp) continue;
      const nodeName = getTargetNodeName(pod.spec);
      if (nodeName === undefined) continue;
      byNode.set(nodeName, [...(byNode.get(nodeName) ?? []), pod]);
    }
    return byNode;
  }

  /** A revision being deleted concerns its DaemonSet; a new one of a known DaemonSet needs nothing (it made it); an orphan, whoever may adopt it. */
  private addHistory(revision: ControllerRevision): void {
    if (revision.metadata.deletionTimestamp) {
      const ds = this.daemonSetLister.controllerOf(revision);
      if (ds) this.enqueue(ds);
      return;
    }
    if (controllerOf(revision)) return;
    for (const ds of this.daemonSetLister.selecting(revision)) this.enqueue(ds);
  }

  private addPod(pod: Pod): void {
    // A pod already being deleted when first seen (a restart) is no creation to count.
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const ds = this.daemonSetLister.controllerOf(pod);
    if (ds) this.expectations.creationObserved(metaNamespaceKey(ds));
    for (const toSync of this.daemonSetLister.toSyncOnAdd(pod)) this.enqueue(toSync);
  }

  private updatePod(old: Pod, cur: Pod): void {
    // A graceful deletion has begun: the DaemonSet may replace the pod now, not when it is gone.
    if (cur.metadata.deletionTimestamp) return this.deletePod(cur);
    for (const ds of this.daemonSetLister.toSyncOnUpdate(old, cur)) this.enqueue(ds);
    // Ready now, available minReadySeconds later (plus a second against clock skew).
    if (isPodReady(old) || !isPodReady(cur)) return;
    const ds = this.daemonSetLister.controllerOf(cur);
    const minReadySeconds = ds?.spec.minReadySeconds ?? 0;
    if (ds && minReadySeconds > 0) this.enqueueAfter(ds, minReadySeconds * 1000 + 1000);
  }

  private deletePod(pod: Pod): void {
    const ds = this.daemonSetLister.controllerOf(pod);
    if (!ds) return;
    this.expectations.deletionObserved(metaNamespaceKey(ds));
    this.enqueue(ds);
  }
}

/** A selector `{}` (selects every pod): refused, as Kubernetes refuses it. */
function selectsEverything(ds: DaemonSet): boolean {
  const selector = ds.spec.selector;
  return selector !== undefined && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * shouldIgnoreNodeUpdate: a node update that changes only its resourceVersion or conditions
 * that are not True (heartbeats) cannot change where daemon pods belong.
 */
function shouldIgnoreNodeUpdate(old: Node, cur: Node): boolean {
  const trueConditions = (node: Node) =>
    (node.status?.conditions ?? [])
      .filter((c) => c.status === 'True')
      .map((c) => c.type)
      .sort()
      .join(',');
  if (trueConditions(old) !== trueConditions(cur)) return false;
  const strip = (node: Node) => ({ ...node, metadata: { ...node.metadata, resourceVersion: undefined }, status: { ...node.status, conditions: undefined } });
  return JSON.stringify(strip(old)) === JSON.stringify(strip(cur));
}
