import { metaTime } from '@kubelab/client';
import type { KubeObject } from '@kubelab/client';


/** core/v1 NodeCondition. */
export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type NodeStatus = Record<string, unknown> & { conditions?: NodeCondition[] };

/**
 * What the controller last saw of a node, with times from its own clock (nodeHealthData): when a
 * heartbeat (a new Ready lastHeartbeatTime, or a renewed Lease) was last seen is measured here,
 * not read from the node, so clocks that disagree across the cluster do not matter.
 */
export interface NodeHealthData {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: NodeStatus;
  /** The node Lease's spec.renewTime when it was last seen to move. */
  leaseRenewTime?: string;
}

export interface NodeHealthCheck {
  /** Ready as the node had it before this check. */
  observedReady: NodeCondition;
  /** Ready after this check (Unknown when the node went silent); undefined if the node never had one. */
  currentReady: NodeCondition | undefined;
  /** What to remember if nothing is written (or the write fails). */
  health: NodeHealthData;
  /** The status to write, with Ready and the pressure conditions turned Unknown, and what to remember once written. */
  write?: { status: NodeStatus; health: NodeHealthData };
}

/** The conditions the controller turns Unknown on a silent node (NetworkUnavailable belongs to the network plugin). */
const CONDITIONS_SET_UNKNOWN = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function getNodeCondition(status: NodeStatus | undefined, type: string): NodeCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * One node's health check (tryUpdateNodeHealth): has the kubelet been heard from — a Ready
 * condition with a new lastHeartbeatTime, or a renewed Lease in kube-node-lease — within the
 * grace period (nodeMonitorGracePeriod, or nodeStartupGracePeriod for a node that never posted a
 * Ready condition)? If not, Ready and the pressure conditions become Unknown, "Kubelet stopped
 * posting node status.". Pure: the caller writes the status and keeps the health.
 */
export function checkNodeHealth(
  node: KubeObject,
  saved: NodeHealthData | undefined,
  lease: KubeObject | undefined,
  nowMs: number,
  gracePeriods: { nodeMonitorGracePeriodMs: number; nodeStartupGracePeriodMs: number },
): NodeHealthCheck {
  const status = structuredClone((node.status ?? {}) as NodeStatus);
  const created = node.metadata.creationTimestamp ? Date.parse(node.metadata.creationTimestamp) : nowMs;
  let currentReady = getNodeCondition(status, 'Ready');
  let health = saved && { ...saved };
  let observedReady: NodeCondition;
  let gracePeriodMs: number;
  if (!currentReady) {
    // Never posted: as if a Ready=Unknown had been posted when the node was created.
    observedReady = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
    gracePeriodMs = gracePeriods.nodeStartupGracePeriodMs;
    if (health) health.status = status;
    else health = { status, probeTimestamp: created, readyTransitionTimestamp: created };
  } else {
    observedReady = { ...currentReady };
    gracePeriodMs = gracePeriods.nodeMonitorGracePeriodMs;
  }

  const savedReady = health && getNodeCondition(health.status, 'Ready');
  const savedLease = health?.leaseRenewTime;
  if (!health || (!savedReady && currentReady) || (savedReady && !currentReady)) {
    health = { status, probeTimestamp: nowMs, readyTransitionTimestamp: nowMs };
  } else if (savedReady && currentReady && savedReady.lastHeartbeatTime !== currentReady.lastHeartbeatTime) {
    // A new heartbeat; a new transition time too if Ready changed since last seen.
    const transition = savedReady.lastTransitionTime !== currentReady.lastTransitionTime ? nowMs : health.readyTransitionTimestamp;
    health = { status, probeTimestamp: nowMs, readyTransitionTimestamp: transition };
  }
  // A renewed Lease is a heartbeat too (a kubelet renews it every 10 s, and posts status less often).
  const renewTime = lease?.spec?.renewTime as string | undefined;
  if (renewTime && (savedLease === undefined || Date.parse(savedLease) < Date.parse(renewTime))) {
    health.leaseRenewTime = renewTime;
    health.probeTimestamp = nowMs;
  }

  if (nowMs > health.probeTimestamp + gracePeriodMs) {
    const now = metaTime(nowMs);
    for (const type of CONDITIONS_SET_UNKNOWN) {
      const condition = getNodeCondition(status, type);
      if (!condition) {
        status.conditions = [
          ...(status.conditions ?? []),
          { type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: now },
        ];
      } else if (condition.status !== 'Unknown') {
        Object.assign(condition, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now });
      }
    }
    currentReady = getNodeCondition(status, 'Ready');
    if (!sameCondition(currentReady, observedReady)) {
      const written: NodeHealthData = { status, probeTimestamp: health.probeTimestamp, readyTransitionTimestamp: nowMs };
      if (renewTime) written.leaseRenewTime = renewTime;
      return { observedReady, currentReady, health, write: { status, health: written } };
    }
  }
  return { observedReady, currentReady, health };
}

function sameCondition(a: NodeCondition | undefined, b: NodeCondition): boolean {
  return (
    a !== undefined &&
    a.type === b.type &&
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '') &&
    a.lastHeartbeatTime === b.lastHeartbeatTime &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}
