import { ActionType, type ClusterEventWithHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import { hostPortsOf, type HostPortKey, type NodeInfo } from '../framework/node-info';
import { Status } from '../framework/status';
import type { FilterPlugin, Pod, PreFilterPlugin, Snapshot } from '../framework/types';

export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const PRE_FILTER_KEY = 'PreFilterNodePorts';

/** Host ports (nodeports.NodePorts): a pod asking for a hostPort fits only where no pod holds it. */
export class NodePorts implements PreFilterPlugin, FilterPlugin {
  static readonly NAME = 'NodePorts';
  readonly name = NodePorts.NAME;

  preFilter(state: CycleState, pod: Pod, _snapshot: Snapshot): { status: Status } {
    const wanted = hostPortsOf(pod);
    if (!wanted.length) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, wanted);
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const wanted = state.read<HostPortKey[]>(PRE_FILTER_KEY) ?? hostPortsOf(pod);
    return wanted.some((key) => conflicts(key, nodeInfo.usedPorts)) ? Status.unschedulable(ERR_REASON_NODE_PORTS) : Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // An assigned pod that held one of the ports went away.
      { event: { resource: 'Pod', actionType: ActionType.Delete, label: 'AssignedPodDelete' }, queueingHint: (pod, deleted) => (deleted && hostPortsOf(deleted).some((key) => conflicts(key, new Set(hostPortsOf(pod)))) ? 'Queue' : 'QueueSkip') },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Update, label: 'NodeAdd|NodeUpdate' } },
    ];
  }
}

/**
 * Does "protocol/hostIP/port" clash with a port in use (HostPortInfo.CheckConflict)? 0.0.0.0
 * means every address, so it clashes with the same protocol and port on any address.
 */
export function conflicts(key: HostPortKey, used: ReadonlySet<HostPortKey>): boolean {
  const [protocol, ip, port] = key.split('/') as [string, string, string];
  if (ip === '0.0.0.0') {
    for (const u of used) {
      const [p, , n] = u.split('/');
      if (p === protocol && n === port) return true;
    }
    return false;
  }
  return used.has(key) || used.has(`${protocol}/0.0.0.0/${port}`);
}
