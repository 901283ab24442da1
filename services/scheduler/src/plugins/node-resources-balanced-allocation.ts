import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import { podRequests, type Resource } from '../framework/resource';
import { Status } from '../framework/status';
import { MAX_NODE_SCORE, type Pod, type PreScorePlugin, type ScorePlugin } from '../framework/types';

const PRE_SCORE_KEY = 'PreScoreNodeResourcesBalancedAllocation';

/**
 * Balanced use of a node (noderesources.BalancedAllocation): prefers the node where, with the pod
 * on it, the cpu and memory fractions in use are closest to each other, so no node runs out of one
 * while the other idles. Score: (1 - standard deviation of the fractions) × 100, with the pods'
 * real requests (no 100m / 200Mi stand-ins).
 */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  static readonly NAME = 'NodeResourcesBalancedAllocation';
  readonly name = NodeResourcesBalancedAllocation.NAME;

  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, podRequests(pod));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const request = state.read<Resource>(PRE_SCORE_KEY) ?? podRequests(pod);
    const cpu = fraction(nodeInfo.requested.milliCPU + request.milliCPU, nodeInfo.allocatable.milliCPU);
    const memory = fraction(nodeInfo.requested.memory + request.memory, nodeInfo.allocatable.memory);
    return { score: balancedResourceScore(cpu, memory), status: Status.success() };
  }
}

/** The share of a resource in use, at most 1; undefined when the node has none of it (not scored). */
function fraction(requested: number, allocatable: number): number | undefined {
  return allocatable === 0 ? undefined : Math.min(1, requested / allocatable);
}

/** (1 - std) × 100, truncated; with cpu and memory the standard deviation is half their difference (one resource alone: 100). */
export function balancedResourceScore(cpu: number | undefined, memory: number | undefined): number {
  const std = cpu === undefined || memory === undefined ? 0 : Math.abs((cpu - memory) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
