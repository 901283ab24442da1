import { ActionType, type ClusterEventWithHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import { Status } from '../framework/status';
import type { FilterPlugin, Node, Pod } from '../framework/types';
import { podTolerations, tolerationsTolerateTaint } from '@kubelab/component-helpers';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

/** What a cordoned node (spec.unschedulable) amounts to: pods tolerating this taint may still go there. */
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Keeps pods off cordoned nodes (nodeunschedulable.NodeUnschedulable), unless they tolerate node.kubernetes.io/unschedulable:NoSchedule. */
export class NodeUnschedulable implements FilterPlugin {
  static readonly NAME = 'NodeUnschedulable';
  readonly name = NodeUnschedulable.NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    return fits(pod, nodeInfo.node) ? Status.success() : Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint, label: 'NodeAdd|NodeTaintChange' },
        // Queue when the node is (now) schedulable for the pod and was not before.
        queueingHint: (pod, oldNode, newNode) => (newNode && fits(pod, newNode) && !(oldNode && fits(pod, oldNode)) ? 'Queue' : 'QueueSkip'),
      },
    ];
  }
}

function fits(pod: Pod, node: Node): boolean {
  return !node.spec?.unschedulable || tolerationsTolerateTaint(podTolerations(pod), UNSCHEDULABLE_TAINT);
}
