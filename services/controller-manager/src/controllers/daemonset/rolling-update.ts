import { isPodAvailable } from '../../controller/pod-util';
import { isPodUpdated } from './daemon-pod';
import type { DaemonSet, Node, Pod } from './types';
import { surgeCount, unavailableCount } from './update-strategy';

export interface RollingUpdateInput {
  ds: DaemonSet;
  hash: string;
  now: number;
  nodes: readonly Node[];
  /** The DaemonSet's pods by the node they are for. */
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>;
  shouldRun(node: Node): boolean;
}

export interface RollingUpdatePlan {
  oldPodsToDelete: string[];
  /** Nodes that get a new pod beside their old one (maxSurge only). */
  nodesToCreate: string[];
}

/**
 * One step of a DaemonSet RollingUpdate (daemon controller's rollingUpdate). Without maxSurge,
 * old pods are deleted, as many as maxUnavailable allows (counting every node whose pod is
 * missing, new and unavailable, or being replaced), and the manage loop then creates the new
 * ones; an old pod that is not available anyway is always replaced. With maxSurge, a new pod is
 * started beside an old one (up to maxSurge at a time; at once where the old one is unavailable),
 * and the old one is deleted when the new one is available. Nodes are visited in name order.
 */
export function rollingUpdate(input: RollingUpdateInput): RollingUpdatePlan {
  const { ds, hash, now, nodes } = input;
  const minReadySeconds = ds.spec.minReadySeconds ?? 0;
  const available = (pod: Pod) => isPodAvailable(pod, minReadySeconds, now);

  // updatedDesiredNodeCounts: every node that should run a pod takes part, with or without one.
  const nodeToDaemonPods = new Map(input.nodeToDaemonPods);
  const nodesByName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  let desiredNumberScheduled = 0;
  for (const node of nodes) {
    if (!input.shouldRun(node)) continue;
    desiredNumberScheduled++;
    if (!nodeToDaemonPods.has(node.metadata.name ?? '')) nodeToDaemonPods.set(node.metadata.name ?? '', []);
  }
  let maxUnavailable = unavailableCount(ds, desiredNumberScheduled);
  const maxSurge = surgeCount(ds, desiredNumberScheduled);
  // Neither surge nor unavailability (an impossible configuration): Kubernetes falls back to one unavailable.
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;

  const byNode = [...nodeToDaemonPods].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowedReplacementPods: string[] = [];
    const candidatePodsToDelete: string[] = [];
    for (const [, pods] of byNode) {
      const found = findUpdatedPodsOnNode(pods, hash);
      if (!found) {
        // Several pods on the node: the manage loop prunes them first; count the node as unavailable.
        numUnavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          allowedReplacementPods.push(oldPod.metadata.name!);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidatePodsToDelete.push(oldPod.metadata.name!);
        }
      }
    }
    const remainingUnavailable = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidatePodsToDelete.length);
    return { oldPodsToDelete: [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remainingUnavailable)], nodesToCreate: [] };
  }

  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  const nodeNamed = (name: string) => {
    const node = nodesByName.get(name);
    if (!node) throw new Error(`couldn't get node for nodeName "${name}": node "${name}" not found`);
    return node;
  };
  for (const [nodeName, pods] of byNode) {
    const found = findUpdatedPodsOnNode(pods, hash);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!input.shouldRun(nodeNamed(nodeName))) oldPodsToDelete.push(oldPod.metadata.name!);
        else allowedNewNodes.push(nodeName);
      } else if (!input.shouldRun(nodeNamed(nodeName))) {
        shouldNotRunPodsToDelete.push(oldPod.metadata.name!);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    // Already surged here: the old pod goes once the new one is available.
    if (!available(newPod)) numSurge++;
    else oldPodsToDelete.push(oldPod.metadata.name!);
  }
  // A pod on a node it no longer fits goes only when enough pods elsewhere are available.
  const deletable = Math.min(numAvailable - desiredNumberScheduled, shouldNotRunPodsToDelete.length);
  if (deletable > 0) oldPodsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable));
  const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return { oldPodsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)] };
}

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (either may be missing), ignoring
 * pods being deleted; undefined when there are two of either.
 */
export function findUpdatedPodsOnNode(pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}
