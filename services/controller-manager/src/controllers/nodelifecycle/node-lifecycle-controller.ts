import { Resources, sleep, splitMetaNamespaceKey, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import { nodeTaints, taintExists } from '@kubelab/component-helpers';
import type { ControllerContext } from '../../controller/context';
import { POD_NODE_NAME_INDEX, podNodeNameIndex } from '../../controller/pod-node-name-index';
import { QueueController } from '../../controller/queue-controller';
import { markPodsNotReady } from './mark-pods-not-ready';
import { checkNodeHealth, getNodeCondition, type NodeCondition, type NodeHealthData } from './node-health';
import { managedNoScheduleTaints, noScheduleTaintsFor, NOT_READY_TAINT_TEMPLATE, removeTaintOffNode, swapNodeControllerTaint, taintSetDiff, UNREACHABLE_TAINT_TEMPLATE } from './node-taints';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue';
import { computeZoneState, LABEL_NODE_EXCLUDE_DISRUPTION, zoneKey, type ZoneState } from './zone-state';

/** Kubernetes' defaults for the eviction rate flags (--node-eviction-rate, --secondary-node-eviction-rate, --large-cluster-size-threshold, --unhealthy-zone-threshold). */
const EVICTION_LIMITER_QPS = 0.1;
const SECONDARY_EVICTION_LIMITER_QPS = 0.01;
const LARGE_CLUSTER_THRESHOLD = 50;
const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** How often queued nodes get their NoExecute taint (scheduler.NodeEvictionPeriod). */
const NODE_EVICTION_PERIOD_MS = 100;
/** Attempts at writing one node's health before giving up until the next pass (scheduler.NodeHealthUpdateRetry). */
const NODE_HEALTH_UPDATE_RETRY = 5;

/**
 * The node lifecycle controller (pkg/controller/nodelifecycle), recording as "node-controller".
 *
 * Every --node-monitor-period it checks each node's heartbeats (Ready's lastHeartbeatTime and the
 * node's Lease in kube-node-lease, timed on its own clock): a node silent for
 * --node-monitor-grace-period becomes Ready=Unknown, its pods Ready=False, and it is queued for
 * the NoExecute taint `node.kubernetes.io/unreachable` (`not-ready` when the kubelet itself says
 * Ready=False), added at most --node-eviction-rate nodes a second per zone; the taint eviction
 * controller then evicts the pods that do not tolerate it. When the node is Ready again the taints
 * go. When every node of every zone is down ("master disruption mode") nothing is tainted: the
 * fault is more likely the control plane's than the nodes'.
 *
 * Independently, on every node change it keeps the NoSchedule taints that mirror the node's
 * conditions (TaintNodesByCondition). The work queue holds node names for that, and
 * `namespace/name` keys of pods just bound to a node that is not Ready.
 */
export class NodeLifecycleController extends QueueController {
  private readonly recorder: EventRecorder;
  private readonly nodes: Informer<KubeObject>;
  private readonly pods: Informer<KubeObject>;
  private readonly leases: Informer<KubeObject>;
  private readonly knownNodes = new Map<string, KubeObject>();
  private readonly nodeHealth = new Map<string, NodeHealthData>();
  private readonly nodesToRetry = new Set<string>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly zoneNoExecuteTainter = new Map<string, RateLimitedTimedQueue>();

  constructor(ctx: ControllerContext) {
    super('node-lifecycle-controller', ctx);
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.informer(Resources.nodes);
    this.pods = ctx.informers.informer(Resources.pods, { [POD_NODE_NAME_INDEX]: podNodeNameIndex });
    this.leases = ctx.informers.informer(Resources.leases);
    this.nodes.addEventHandler({
      onAdd: (node) => this.enqueue(node.metadata.name!),
      onUpdate: (_old, node) => this.enqueue(node.metadata.name!),
      onDelete: (node) => this.nodesToRetry.delete(node.metadata.name!),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podUpdated(undefined, pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.nodes, this.pods, this.leases];
  }

  override async run(signal: AbortSignal): Promise<void> {
    const loops = (async () => {
      await Promise.all(this.informers().map((i) => i.waitForSync(24 * 3600_000)));
      await Promise.all([this.every(this.ctx.timings.nodeMonitorPeriodMs, () => this.monitorNodeHealth(), signal), this.every(NODE_EVICTION_PERIOD_MS, () => this.doNoExecuteTaintingPass(), signal)]);
    })();
    await Promise.all([super.run(signal), loops]);
  }

  /** A node name: its NoSchedule taints. A pod key: a pod just bound to a node that is not Ready. */
  async reconcile(key: string): Promise<void> {
    if (key.includes('/')) return this.processPod(key);
    return this.doNoScheduleTaintingPass(key);
  }

  /** Keeps the NoSchedule taints that mirror the node's conditions and spec.unschedulable. */
  private async doNoScheduleTaintingPass(nodeName: string): Promise<void> {
    const node = this.nodes.indexer.get(undefined, nodeName);
    if (!node) return;
    const { toAdd, toRemove } = taintSetDiff(noScheduleTaintsFor(node), managedNoScheduleTaints(node));
    if (!toAdd.length && !toRemove.length) return;
    await swapNodeControllerTaint(this.ctx.client, nodeName, toAdd, toRemove, this.ctx.clock.now());
  }

  private podUpdated(old: KubeObject | undefined, pod: KubeObject): void {
    const nodeName = pod.spec?.nodeName;
    if (nodeName && (!old || old.spec?.nodeName !== nodeName)) this.enqueue(pod);
  }

  /** A pod bound to a node that is not Ready is not Ready either (processPod). */
  private async processPod(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.pods.indexer.get(namespace, name);
    if (!pod) return;
    const nodeName = pod.spec?.nodeName as string;
    const health = this.nodeHealth.get(nodeName);
    if (!health) return;
    if (!this.nodes.indexer.get(undefined, nodeName)) throw new Error(`node ${nodeName} of pod ${key} is not in the cache`);
    const ready = getNodeCondition(health.status, 'Ready');
    if (ready && ready.status !== 'True') await markPodsNotReady(this.ctx.client, this.recorder, [pod], nodeName, this.ctx.clock.now());
  }

  /** One pass over every node (monitorNodeHealth). */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.indexer.list();
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const node of nodes) {
      const name = node.metadata.name!;
      if (this.knownNodes.has(name)) {
        if (!this.zoneStates.has(zoneKey(node))) this.addPodEvictorForNewZone(node);
        continue;
      }
      this.recordNodeEvent(node, 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.knownNodes.set(name, node);
      this.addPodEvictorForNewZone(node);
      try {
        await this.markNodeAsReachable(node);
      } catch (error) {
        this.log.warn({ node: name, err: (error as Error).message }, 'failed to remove NoExecute taints from a new node');
      }
    }
    for (const [name, node] of this.knownNodes) {
      if (names.has(name)) continue;
      this.recordNodeEvent(node, 'RemovingNode', `Removing Node ${name} from Controller`);
      this.knownNodes.delete(name);
      this.nodeHealth.delete(name);
    }

    const zoneToNodeConditions = new Map<string, Array<NodeCondition | undefined>>();
    for (const cached of nodes) {
      const checked = await this.updateNodeHealth(cached);
      if (!checked) continue;
      const { node, observedReady, currentReady } = checked;
      if (node.metadata.labels?.[LABEL_NODE_EXCLUDE_DISRUPTION] === undefined) {
        const zone = zoneKey(node);
        zoneToNodeConditions.set(zone, [...(zoneToNodeConditions.get(zone) ?? []), currentReady]);
      }
      const name = node.metadata.name!;
      if (currentReady) {
        const pods = this.pods.indexer.byIndex(POD_NODE_NAME_INDEX, name);
        await this.processTaintBaseEviction(node, observedReady);
        const becameNotReady = currentReady.status !== 'True' && observedReady.status === 'True';
        if (becameNotReady) this.recordNodeStatusChange(node, 'NodeNotReady');
        if (becameNotReady || (this.nodesToRetry.has(name) && observedReady.status !== 'True')) {
          try {
            await markPodsNotReady(this.ctx.client, this.recorder, pods, name, this.ctx.clock.now());
          } catch (error) {
            this.log.warn({ node: name, err: (error as Error).message }, 'unable to mark all pods NotReady; retrying next pass');
            this.nodesToRetry.add(name);
            continue;
          }
        }
      }
      this.nodesToRetry.delete(name);
    }
    await this.handleDisruption(zoneToNodeConditions, nodes);
  }

  /** Checks one node and writes its Unknown conditions, reading it again when the write loses a race. */
  private async updateNodeHealth(cached: KubeObject): Promise<{ node: KubeObject; observedReady: NodeCondition; currentReady: NodeCondition | undefined } | undefined> {
    let node = structuredClone(cached);
    const name = node.metadata.name!;
    for (let attempt = 1; attempt <= NODE_HEALTH_UPDATE_RETRY; attempt++) {
      const lease = this.leases.indexer.get('kube-node-lease', name);
      const check = checkNodeHealth(node, this.nodeHealth.get(name), lease, this.ctx.clock.now(), this.ctx.timings);
      this.nodeHealth.set(name, check.health);
      if (!check.write) return { node, observedReady: check.observedReady, currentReady: check.currentReady };
      try {
        await this.ctx.client.updateStatus(Resources.nodes, { ...node, status: check.write.status });
        this.nodeHealth.set(name, check.write.health);
        this.log.info({ node: name }, 'node stopped posting status; marked Ready=Unknown');
        return { node: { ...node, status: check.write.status }, observedReady: check.observedReady, currentReady: check.currentReady };
      } catch (error) {
        this.log.warn({ node: name, err: (error as Error).message }, 'error updating node health');
        try {
          node = await this.ctx.client.get(Resources.nodes, undefined, name);
        } catch {
          break;
        }
      }
    }
    this.log.warn({ node: name }, 'update health of node failed; skipping it this pass, no pods will be evicted');
    return undefined;
  }

  /** Queues a NotReady node for its NoExecute taint, swaps the taint when the kind of NotReady changed, clears it when Ready. */
  private async processTaintBaseEviction(node: KubeObject, observedReady: NodeCondition): Promise<void> {
    const taints = nodeTaints(node);
    const name = node.metadata.name!;
    try {
      if (observedReady.status === 'False' || observedReady.status === 'Unknown') {
        const [wanted, opposite] = observedReady.status === 'False' ? [NOT_READY_TAINT_TEMPLATE, UNREACHABLE_TAINT_TEMPLATE] : [UNREACHABLE_TAINT_TEMPLATE, NOT_READY_TAINT_TEMPLATE];
        // Tainted the other way already: swap at once, the outage is not news.
        if (taintExists(taints, opposite)) await swapNodeControllerTaint(this.ctx.client, name, [wanted], [opposite], this.ctx.clock.now());
        else this.markNodeForTainting(node, wanted);
      } else if (observedReady.status === 'True') {
        await this.markNodeAsReachable(node);
      }
    } catch (error) {
      this.log.warn({ node: name, err: (error as Error).message }, 'failed to update NoExecute taints; retrying next pass');
    }
  }

  private markNodeForTainting(node: KubeObject, wanted: typeof NOT_READY_TAINT_TEMPLATE): void {
    const tainter = this.zoneNoExecuteTainter.get(zoneKey(node))!;
    // Known to the queue but the taint is missing (removed by hand?): queue it again.
    if (!taintExists(nodeTaints(node), wanted)) tainter.remove(node.metadata.name!);
    if (tainter.add(node.metadata.name!, node.metadata.uid!)) this.log.info({ node: node.metadata.name, taint: wanted.key }, 'node is not ready; queued for its NoExecute taint');
  }

  /** Removes both NoExecute taints, and forgets the node in its zone's queue. */
  private async markNodeAsReachable(node: KubeObject): Promise<boolean> {
    await removeTaintOffNode(this.ctx.client, node, [UNREACHABLE_TAINT_TEMPLATE, NOT_READY_TAINT_TEMPLATE]);
    return this.zoneNoExecuteTainter.get(zoneKey(node))?.remove(node.metadata.name!) ?? false;
  }

  /** Gives queued nodes their NoExecute taint, as fast as each zone's rate limiter allows. */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const tainter of this.zoneNoExecuteTainter.values()) {
      await tainter.try(async ({ value }) => {
        const node = this.nodes.indexer.get(undefined, value);
        if (!node) return { ok: true, retryAfterMs: 0 };
        const ready = getNodeCondition(node.status, 'Ready');
        if (!ready) return { ok: false, retryAfterMs: 50 };
        // "unreachable" and "not-ready" mirror Ready=Unknown and Ready=False: one at a time.
        const [wanted, opposite] = ready.status === 'False' ? [NOT_READY_TAINT_TEMPLATE, UNREACHABLE_TAINT_TEMPLATE] : ready.status === 'Unknown' ? [UNREACHABLE_TAINT_TEMPLATE, NOT_READY_TAINT_TEMPLATE] : [];
        if (!wanted || !opposite) return { ok: true, retryAfterMs: 0 };
        try {
          await swapNodeControllerTaint(this.ctx.client, value, [wanted], [opposite], this.ctx.clock.now());
          return { ok: true, retryAfterMs: 0 };
        } catch (error) {
          this.log.warn({ node: value, err: (error as Error).message }, 'unable to taint unresponsive node');
          return { ok: false, retryAfterMs: 0 };
        }
      });
    }
  }

  /**
   * Sets each zone's tainting rate from its state (handleDisruption): normal or fully disrupted,
   * --node-eviction-rate; partially disrupted, the secondary rate in a large zone and none in a
   * small one; and when every zone is fully disrupted, no tainting at all and the taints removed.
   */
  private async handleDisruption(zoneToNodeConditions: Map<string, Array<NodeCondition | undefined>>, nodes: KubeObject[]): Promise<void> {
    const newZoneStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conditions] of zoneToNodeConditions) {
      const { state } = computeZoneState(conditions, UNHEALTHY_ZONE_THRESHOLD);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newZoneStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of this.zoneStates) {
      if (!zoneToNodeConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      this.log.info('Controller detected that all Nodes are not-Ready. Entering master disruption mode');
      for (const node of nodes) {
        try {
          await this.markNodeAsReachable(node);
        } catch (error) {
          this.log.warn({ node: node.metadata.name, err: (error as Error).message }, 'failed to remove taints from node');
        }
      }
      for (const zone of this.zoneStates.keys()) {
        this.zoneNoExecuteTainter.get(zone)?.swapLimiter(0);
        this.zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWasFullyDisrupted) {
      this.log.info('Controller detected that some Nodes are Ready. Exiting master disruption mode');
      // Every node gets a fresh grace period: they were silent because the control plane was.
      const now = this.ctx.clock.now();
      for (const node of nodes) {
        const health = this.nodeHealth.get(node.metadata.name!);
        if (health) this.nodeHealth.set(node.metadata.name!, { ...health, probeTimestamp: now, readyTransitionTimestamp: now });
      }
      for (const zone of this.zoneStates.keys()) this.setZoneState(zone, zoneToNodeConditions.get(zone)?.length ?? 0, newZoneStates.get(zone));
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const next = newZoneStates.get(zone);
      if (state === next) continue;
      this.log.info({ zone, state: next }, 'Controller detected that zone is now in new state');
      this.setZoneState(zone, zoneToNodeConditions.get(zone)?.length ?? 0, next);
    }
  }

  private setZoneState(zone: string, zoneSize: number, state: ZoneState | undefined): void {
    if (!state) return;
    const tainter = this.zoneNoExecuteTainter.get(zone);
    if (state === 'Normal' || state === 'FullDisruption') tainter?.swapLimiter(EVICTION_LIMITER_QPS);
    else if (state === 'PartialDisruption') tainter?.swapLimiter(zoneSize > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_LIMITER_QPS : 0);
    this.zoneStates.set(zone, state);
  }

  private addPodEvictorForNewZone(node: KubeObject): void {
    const zone = zoneKey(node);
    if (this.zoneStates.has(zone)) return;
    this.zoneStates.set(zone, 'Initial');
    this.zoneNoExecuteTainter.set(zone, new RateLimitedTimedQueue(this.ctx.clock, EVICTION_LIMITER_QPS));
  }

  /** "Node worker-1 event: Registered Node worker-1 in Controller" (RecordNodeEvent). */
  private recordNodeEvent(node: KubeObject, reason: string, event: string): void {
    this.recorder.event(nodeReference(node), 'Normal', reason, `Node ${node.metadata.name} event: ${event}`);
  }

  /** "Node worker-1 status is now: NodeNotReady" (RecordNodeStatusChange). */
  private recordNodeStatusChange(node: KubeObject, newStatus: string): void {
    this.recorder.event(nodeReference(node), 'Normal', newStatus, `Node ${node.metadata.name} status is now: ${newStatus}`);
  }

  /** Runs `fn` now and then `periodMs` after each run ends, until aborted (wait.Until). */
  private async every(periodMs: number, fn: () => Promise<void>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await fn();
      } catch (error) {
        this.log.error({ err: (error as Error).message }, 'node lifecycle pass failed');
      }
      await sleep(this.ctx.clock, periodMs, signal);
    }
  }
}

function nodeReference(node: KubeObject): { apiVersion: string; kind: string; name?: string; uid?: string } {
  return { apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid };
}
