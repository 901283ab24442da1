import { isAlreadyExists, metaTime, realClock, Resources, sleep, type Clock, type EventRecorder, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { ObjectReference } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { KubeletConfig } from '../config';
import { HEALTHY, initialNodeEvents, setNodeConditions, type NodeCondition, type NodeHealth } from './conditions';
import { initialNode, reconcileExistingNode } from './initial-node';
import { readNodeSystemInfo, type NodeSystemInfo } from './node-info';
import { PeriodicSync } from './periodic';

/** An image present on the node (status.images). */
export interface NodeImage {
  names: string[];
  sizeBytes: number;
}

/** The kubelet reports at most this many images, biggest first (--node-status-max-images). */
export const NODE_STATUS_MAX_IMAGES = 50;

/** The kubelet tries a status post this many times per period (nodeStatusUpdateRetry). */
export const NODE_STATUS_UPDATE_RETRY = 5;

export interface NodeStatusManagerOptions {
  client: ObjectsClient;
  config: Readonly<KubeletConfig>;
  recorder: EventRecorder;
  clock?: Clock;
  log: Logger;
  /** The images the node holds now (status.images); absent: none reported. */
  images?: () => NodeImage[];
  /** Pressure and readiness as the node sees them now (default: no pressure, Ready). */
  health?: () => NodeHealth;
  /** status.nodeInfo (default: read from this machine, see readNodeSystemInfo). */
  systemInfo?: NodeSystemInfo;
}

interface NodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: NodeCondition[];
  [field: string]: unknown;
}

/**
 * The kubelet's side of its Node (pkg/kubelet/kubelet_node_status.go). `register` creates the
 * Node, or brings an existing one in line (default labels, podCIDR), retrying with back-off
 * (100 ms doubling to 7 s) until the apiserver answers, then posts the first status. `start`
 * then posts the status every --node-status-update-frequency, but only when it changed (the
 * conditions' heartbeat times aside) or when the last report is older than
 * --node-status-report-frequency (5 min): the Lease is the heartbeat, the status is not. A
 * conflict or an apiserver away is retried (5 tries per period, as the kubelet does).
 *
 * Events, as `kubectl describe node` shows them: Starting "Starting kubelet." at once; with the
 * first status NodeHasSufficientMemory, NodeHasNoDiskPressure, NodeHasSufficientPID (the kubelet
 * records them from its fresh initial Node on every start), NodeAllocatableEnforced, and
 * NodeReady when the node turns Ready; later, each condition's changes.
 */
export class NodeStatusManager {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly systemInfo: NodeSystemInfo;
  private readonly updates: PeriodicSync;
  private lastReportAt: number | undefined;
  private registeredNode = false;

  constructor(private readonly options: NodeStatusManagerOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log;
    this.systemInfo = options.systemInfo ?? readNodeSystemInfo(options.config.nodeName);
    this.updates = new PeriodicSync(this.clock, options.config.nodeStatusUpdateFrequencyMs, () => this.syncNodeStatus());
  }

  /** True once the Node exists and this kubelet has brought it in line (/healthz answers ok then). */
  get registered(): boolean {
    return this.registeredNode;
  }

  /** The reference events about the Node carry: the kubelet's nodeRef uses the node's name as its UID. */
  get nodeRef(): ObjectReference {
    const name = this.options.config.nodeName;
    return { kind: 'Node', name, uid: name };
  }

  /** Registers the Node (retrying until the apiserver answers, or stop()), then posts its first status. */
  async register(): Promise<void> {
    const { config } = this.options;
    this.options.recorder.event(this.nodeRef, 'Normal', 'Starting', 'Starting kubelet.');
    for (let step = 100; !this.updates.signal.aborted; step = Math.min(step * 2, 7_000)) {
      try {
        await this.tryRegister();
        this.registeredNode = true;
        break;
      } catch (error) {
        this.log.warn({ node: config.nodeName, err: (error as Error).message, retryInMs: step }, 'Unable to register node with API server');
        await sleep(this.clock, step, this.updates.signal);
      }
    }
    if (this.updates.signal.aborted) throw new Error(`stopped before node ${config.nodeName} was registered`);
    await this.syncNodeStatus();
  }

  /** Posts the status every --node-status-update-frequency from now on. */
  start(): void {
    this.updates.start(false);
  }

  /** Stops posting (a post in flight is abandoned between tries). */
  stop(): void {
    this.updates.stop();
  }

  /** Resolves when a post in flight, if any, is over (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    await this.updates.idle();
  }

  private async tryRegister(): Promise<void> {
    const { client, config } = this.options;
    const node = initialNode(config);
    try {
      await client.create(Resources.nodes, node);
      this.log.info({ node: config.nodeName }, 'Successfully registered node');
      return;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const existing = await client.get(Resources.nodes, undefined, config.nodeName);
    if (reconcileExistingNode(existing, node)) await client.update(Resources.nodes, existing);
    this.log.info({ node: config.nodeName }, 'Node was previously registered');
  }

  /** updateNodeStatus: up to NODE_STATUS_UPDATE_RETRY tries, each on a fresh read of the Node. */
  private async syncNodeStatus(): Promise<void> {
    for (let attempt = 1; attempt <= NODE_STATUS_UPDATE_RETRY && !this.updates.signal.aborted; attempt++) {
      try {
        await this.tryUpdateNodeStatus();
        return;
      } catch (error) {
        if (this.updates.signal.aborted) return;
        this.log.warn({ node: this.options.config.nodeName, err: (error as Error).message, attempt }, 'Error updating node status, will retry');
      }
    }
    if (!this.updates.signal.aborted) this.log.error({ node: this.options.config.nodeName }, 'Unable to update node status: update node status exceeds retry count');
  }

  private async tryUpdateNodeStatus(): Promise<void> {
    const { client, config } = this.options;
    const node = await client.get(Resources.nodes, undefined, config.nodeName);
    const now = this.clock.now();
    const events: string[] = [];
    const current = (node.status ?? {}) as NodeStatus;
    const status = this.desiredStatus(current, metaTime(now), (reason) => events.push(reason));
    const first = this.lastReportAt === undefined;
    if (!first && !statusChanged(current, status) && now - this.lastReportAt! < config.nodeStatusReportFrequencyMs) return;
    if (this.updates.signal.aborted) return;
    await client.updateStatus(Resources.nodes, { ...node, status } as KubeObject);
    this.lastReportAt = now;
    const health = this.health();
    const recorded = first ? [...initialNodeEvents(health), 'NodeAllocatableEnforced', ...events.filter((e) => !initialNodeEvents(health).includes(e))] : events;
    for (const reason of recorded) {
      if (reason === 'NodeAllocatableEnforced') this.options.recorder.event(this.nodeRef, 'Normal', reason, 'Updated Node Allocatable limit across pods');
      else this.options.recorder.event(this.nodeRef, 'Normal', reason, `Node ${config.nodeName} status is now: ${reason}`);
    }
  }

  /** The status the kubelet's setters make of the current one (other fields are kept). */
  private desiredStatus(current: NodeStatus, now: string, record: (reason: string) => void): NodeStatus {
    const { config } = this.options;
    const capacity: Record<string, string> = { 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', ...config.capacity };
    const status: NodeStatus = {
      ...current,
      capacity: sortKeys(capacity),
      allocatable: sortKeys({ ...capacity }),
      conditions: setNodeConditions(current.conditions, this.health(), now, record),
      addresses: [
        { type: 'InternalIP', address: config.nodeIP },
        { type: 'Hostname', address: config.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: config.port } },
      nodeInfo: { ...this.systemInfo },
    };
    if (this.options.images) {
      const images = [...this.options.images()].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, NODE_STATUS_MAX_IMAGES);
      if (images.length) status.images = images;
      else delete status.images;
    }
    return status;
  }

  private health(): NodeHealth {
    return this.options.health?.() ?? HEALTHY;
  }
}

/** nodeStatusHasChanged: any difference but the conditions' lastHeartbeatTime. */
export function statusChanged(before: NodeStatus, after: NodeStatus): boolean {
  const strip = (status: NodeStatus) => ({ ...status, conditions: (status.conditions ?? []).map(({ lastHeartbeatTime: _, ...rest }) => rest) });
  return canonicalJson(strip(before)) !== canonicalJson(strip(after));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v));
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
