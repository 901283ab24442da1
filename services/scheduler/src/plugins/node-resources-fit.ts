import { ActionType, type ClusterEventWithHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { podRequests, type Resource } from '../framework/resource';
import { Status } from '../framework/status';
import { MAX_NODE_SCORE, type FilterPlugin, type Pod, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Snapshot } from '../framework/types';

const PRE_FILTER_KEY = 'PreFilterNodeResourcesFit';
const PRE_SCORE_KEY = 'PreScoreNodeResourcesFit';

export interface InsufficientResource {
  resourceName: string;
  /** "Insufficient cpu", "Too many pods": what FailedScheduling counts. */
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The pod asks for more than the whole node has: evicting pods cannot help. */
  unresolvable: boolean;
}

/**
 * Requests against allocatable (noderesources.Fit). Filter: the pod's requests (containers, init
 * containers, sidecars, overhead) plus what the node's pods request must fit its allocatable, and
 * the node must have room for one more pod. Score (the LeastAllocated strategy, Kubernetes'
 * default, cpu and memory weighing 1 each): the more a node has left, the better.
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly NAME = 'NodeResourcesFit';
  readonly name = NodeResourcesFit.NAME;

  preFilter(state: CycleState, pod: Pod, _snapshot: Snapshot): { status: Status } {
    state.write(PRE_FILTER_KEY, podRequests(pod));
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const insufficient = fitsRequest(state.read<Resource>(PRE_FILTER_KEY) ?? podRequests(pod), nodeInfo);
    if (!insufficient.length) return Status.success();
    const reasons = insufficient.map((r) => r.reason);
    return insufficient.some((r) => r.unresolvable) ? Status.unresolvable(...reasons) : Status.unschedulable(...reasons);
  }

  preScore(state: CycleState, pod: Pod): Status {
    // Scoring counts a container without requests as 100m / 200Mi, so empty pods still spread.
    state.write(PRE_SCORE_KEY, podRequests(pod, true));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const request = state.read<Resource>(PRE_SCORE_KEY) ?? podRequests(pod, true);
    const { allocatable, nonZeroRequested } = nodeInfo;
    // The mean over the resources the node has (cpu and memory, weight 1 each).
    let score = 0;
    let weights = 0;
    if (allocatable.milliCPU > 0) {
      score += leastRequestedScore(nonZeroRequested.milliCPU + request.milliCPU, allocatable.milliCPU);
      weights++;
    }
    if (allocatable.memory > 0) {
      score += leastRequestedScore(nonZeroRequested.memory + request.memory, allocatable.memory);
      weights++;
    }
    return { score: weights ? Math.trunc(score / weights) : 0, status: Status.success() };
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // Any assigned pod that goes away (or shrinks) frees room.
      { event: { resource: 'Pod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown, label: 'AssignedPodDelete|AssignedPodScaleDown' } },
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable, label: 'NodeAdd|NodeAllocatableChange' },
        // Queue when an empty node of this size could take the pod.
        queueingHint: (pod, _old, node) => (node && !fitsRequest(podRequests(pod), new NodeInfo(node)).length ? 'Queue' : 'QueueSkip'),
      },
    ];
  }
}

/** ((capacity - requested) * 100) / capacity, 0 when over capacity (noderesources.leastRequestedScore). */
function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** Nothing lacking: what fitsRequest answers for almost every node, shared so that a fit allocates nothing. */
const NOTHING_LACKING: readonly InsufficientResource[] = Object.freeze([]);

/** What the node lacks for the pod (noderesources.fitsRequest), in Kubernetes' order: pods, cpu, memory, ephemeral-storage, extended. */
export function fitsRequest(request: Resource, nodeInfo: NodeInfo): readonly InsufficientResource[] {
  let out: InsufficientResource[] | undefined;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out = [{ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false }];
  }
  if (request.milliCPU === 0 && request.memory === 0 && request.ephemeralStorage === 0 && request.scalar.size === 0) return out ?? NOTHING_LACKING;
  if (lacks(request.milliCPU, used.milliCPU, alloc.milliCPU)) (out ??= []).push(insufficient('cpu', request.milliCPU, used.milliCPU, alloc.milliCPU));
  if (lacks(request.memory, used.memory, alloc.memory)) (out ??= []).push(insufficient('memory', request.memory, used.memory, alloc.memory));
  if (lacks(request.ephemeralStorage, used.ephemeralStorage, alloc.ephemeralStorage)) (out ??= []).push(insufficient('ephemeral-storage', request.ephemeralStorage, used.ephemeralStorage, alloc.ephemeralStorage));
  if (request.scalar.size === 0) return out ?? NOTHING_LACKING;
  for (const [name, amount] of request.scalar) {
    const usedAmount = used.scalar.get(name) ?? 0;
    const capacity = alloc.scalar.get(name) ?? 0;
    if (lacks(amount, usedAmount, capacity)) (out ??= []).push(insufficient(name, amount, usedAmount, capacity));
  }
  return out ?? NOTHING_LACKING;
}

function lacks(requested: number, used: number, capacity: number): boolean {
  return requested > 0 && requested > capacity - used;
}

function insufficient(resourceName: string, requested: number, used: number, capacity: number): InsufficientResource {
  return { resourceName, reason: `Insufficient ${resourceName}`, requested, used, capacity, unresolvable: requested > capacity };
}
