import { isPodAvailable, isPodReady } from '../../controller/pod-util';
import { DAEMONSET_UNIQUE_LABEL } from './daemon-pod';
import type { FailedPodsBackoff } from './failed-pods-backoff';
import type { NodeVerdict } from './node-should-run';
import type { DaemonSet, Node, Pod } from './types';
import { allowsSurge } from './update-strategy';

/** What one node needs (the result of podsShouldBeOnNode). */
export interface NodePlan {
  /** The node should get a daemon pod. */
  createPod: boolean;
  podsToDelete: string[];
  /** Failed / succeeded daemon pods found here, to be deleted and told about in an event. */
  failedPods: Pod[];
  succeededPods: Pod[];
  /** A failed pod whose deletion waits for its back-off: look again after this long. */
  retryAfterMs?: number;
}

/**
 * podsShouldBeOnNode: the daemon pods to create and delete on one node. A node that should run
 * the pod and has none gets one. On a node where pods may continue, failed and succeeded pods are
 * deleted (failed ones at most once per back-off) and of the rest only one is kept, the oldest
 * (with maxSurge, the oldest old and the oldest new, until the new one is available or the old
 * one is not ready). On a node where pods may not stay, all of them go.
 */
export function podsShouldBeOnNode(args: { node: Node; daemonPods: readonly Pod[] | undefined; ds: DaemonSet; hash: string; verdict: NodeVerdict; backoff: FailedPodsBackoff; now: number }): NodePlan {
  const { node, daemonPods, ds, hash, verdict, backoff, now } = args;
  const plan: NodePlan = { createPod: false, podsToDelete: [], failedPods: [], succeededPods: [] };
  const nodeName = node.metadata.name ?? '';
  const exists = daemonPods !== undefined && daemonPods.length > 0;

  if (verdict.shouldRun && !exists) {
    plan.createPod = true;
    return plan;
  }
  if (verdict.shouldContinueRunning) {
    const running: Pod[] = [];
    for (const pod of daemonPods ?? []) {
      if (pod.metadata.deletionTimestamp) continue;
      const phase = pod.status?.phase;
      if (phase === 'Failed') {
        // The kubelet may keep rejecting this pod: delete (and recreate) at most once per back-off.
        const key = failedPodsBackoffKey(ds, nodeName);
        if (backoff.isInBackOffSinceUpdate(key, now)) {
          plan.retryAfterMs = backoff.get(key);
          continue;
        }
        backoff.next(key, now);
        plan.failedPods.push(pod);
        plan.podsToDelete.push(pod.metadata.name!);
      } else if (phase === 'Succeeded') {
        plan.succeededPods.push(pod);
        plan.podsToDelete.push(pod.metadata.name!);
      } else {
        running.push(pod);
      }
    }
    running.sort(byCreationTimestampAndPhase);
    if (!allowsSurge(ds)) {
      // Without surge, one pod per node: the oldest stays.
      for (const pod of running.slice(1)) plan.podsToDelete.push(pod.metadata.name!);
      return plan;
    }
    if (running.length <= 1) {
      if (running.length === 0 && verdict.shouldRun) plan.createPod = true;
      return plan;
    }
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    for (const pod of running) {
      const isNew = pod.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === hash;
      if (isNew && !oldestNew) oldestNew = pod;
      else if (!isNew && !oldestOld) oldestOld = pod;
      else plan.podsToDelete.push(pod.metadata.name!);
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now))) {
      plan.podsToDelete.push(oldestOld.metadata.name!);
    }
    return plan;
  }
  if (exists) {
    for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod.metadata.name!);
  }
  return plan;
}

/** Keyed by DaemonSet, generation and node: a new template gets a fresh back-off. */
function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/** Bound pods first, then the oldest, then by name (podByCreationTimestampAndPhase). */
export function byCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const aBound = Boolean(a.spec?.nodeName);
  const bBound = Boolean(b.spec?.nodeName);
  if (aBound !== bBound) return aBound ? -1 : 1;
  const at = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const bt = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (at !== bt) return at - bt;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/**
 * getUnscheduledPodsWithoutNode: unbound daemon pods meant for a node that no longer exists. The
 * pod garbage collector only removes pods bound to gone nodes, so these are the controller's.
 */
export function getUnscheduledPodsWithoutNode(nodes: readonly Node[], nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>): string[] {
  const existing = new Set(nodes.map((n) => n.metadata.name));
  const out: string[] = [];
  for (const [nodeName, pods] of nodeToDaemonPods) {
    if (existing.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.push(pod.metadata.name!);
  }
  return out;
}
