import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo, Resource } from '../framework/node-info';
import { podRequests } from '../framework/resource';
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
    const fractions: number[] = [];
    for (const [requested, allocatable] of [
      [nodeInfo.requested.milliCPU + request.milliCPU, nodeInfo.allocatable.milliCPU],
      [nodeInfo.requested.memory + request.memory, nodeInfo.allocatable.memory],
    ] as Array<[number, number]>) {
      if (allocatable === 0) continue;
      fractions.push(Math.min(1, requested / allocatable));
    }
    return { score: balancedResourceScore(fractions), status: Status.success() };
  }
}

/** (1 - std) × 100, truncated; with cpu and memory the standard deviation is half their difference (one resource: 100). */
export function balancedResourceScore(fractions: number[]): number {
  const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
