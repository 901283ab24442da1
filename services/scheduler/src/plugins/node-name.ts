import { ActionType, type ClusterEventWithHint } from '../framework/cluster-event';
import { Status } from '../framework/status';
import type { FilterPlugin, Node, Pod } from '../framework/types';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** A pod that names its node (spec.nodeName) fits only there (nodename.NodeName). */
export class NodeName implements FilterPlugin {
  static readonly NAME = 'NodeName';
  readonly name = NodeName.NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    return fits(pod, nodeInfo.node) ? Status.success() : Status.unresolvable(ERR_REASON_NODE_NAME);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' }, queueingHint: (pod, _old, node) => (node && fits(pod, node) ? 'Queue' : 'QueueSkip') }];
  }
}

function fits(pod: Pod, node: Node): boolean {
  const wanted = pod.spec?.nodeName as string | undefined;
  return !wanted || wanted === node.metadata.name;
}
