import { doNotScheduleTaint, findMatchingUntoleratedTaint, nodeTaints, podTolerations, tolerationsTolerateTaint, type Toleration } from '@kubelab/component-helpers';
import { ActionType, type ClusterEventWithHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import { Status } from '../framework/status';
import { MAX_NODE_SCORE, type FilterPlugin, type Node, type NodeScore, type Pod, type PreScorePlugin, type ScorePlugin } from '../framework/types';
import { defaultNormalizeScore } from './helper/normalize-score';

const PRE_SCORE_KEY = 'PreScoreTaintToleration';

/**
 * Taints and tolerations (tainttoleration.TaintToleration). Filter: a NoSchedule or NoExecute
 * taint the pod does not tolerate keeps it off the node, and preemption cannot change that.
 * Score: the fewer untolerated PreferNoSchedule taints, the better.
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly NAME = 'TaintToleration';
  readonly name = TaintToleration.NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const taints = nodeTaints(nodeInfo.node);
    // Most nodes have no taints: nothing to look for (Filter runs for hundreds of nodes a cycle).
    if (!taints.length) return Status.success();
    const taint = findMatchingUntoleratedTaint(taints, podTolerations(pod), doNotScheduleTaint);
    if (!taint) return Status.success();
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: Pod): Status {
    // Tolerations with no effect tolerate PreferNoSchedule taints too.
    state.write(PRE_SCORE_KEY, podTolerations(pod).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
    return Status.success();
  }

  /** The count of PreferNoSchedule taints the pod does not tolerate (more is worse: normalizeScore reverses it). */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const taints = nodeTaints(nodeInfo.node);
    if (!taints.length) return { score: 0, status: Status.success() };
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? podTolerations(pod);
    let intolerable = 0;
    for (const taint of taints) if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) intolerable++;
    return { score: intolerable, status: Status.success() };
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint, label: 'NodeAdd|NodeTaintChange' },
        // Queue when the pod tolerates the node's taints now and did not before.
        queueingHint: (pod, oldNode, newNode) => (newNode && tolerates(pod, newNode) && !(oldNode && tolerates(pod, oldNode)) ? 'Queue' : 'QueueSkip'),
      },
    ];
  }
}

function tolerates(pod: Pod, node: Node): boolean {
  return !findMatchingUntoleratedTaint(nodeTaints(node), podTolerations(pod), doNotScheduleTaint);
}
