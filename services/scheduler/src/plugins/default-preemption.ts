import type { CycleState } from '../framework/cycle-state';
import { FitError } from '../framework/fit-error';
import type { NodeInfo } from '../framework/node-info';
import { podPriority } from '../framework/pod-info';
import { Status, type Code } from '../framework/status';
import type { FrameworkHandle, NodeToStatus, Pod, PodInfo, PostFilterPlugin, PostFilterResult } from '../framework/types';
import { byImportance, selectCandidate, type Candidate } from './default-preemption-candidate';

export const ERR_REASON_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const ERR_REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_ELIGIBLE_PREEMPTION_POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const NOT_ELIGIBLE_TERMINATING_POD = 'not eligible due to a terminating pod on the nominated node.';

/** DefaultPreemptionArgs' defaults: dry-run at least this share of the nodes, and at least this many. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/**
 * Kubernetes' DefaultPreemption plugin (PostFilter): when the pod fits nowhere, find a node where
 * evicting pods of lower priority makes it fit, evict the fewest and least important of them and
 * nominate the node, so the pod is scheduled there once they are gone. Nodes are judged by
 * running the other plugins on a copy of the node (and of the cycle state) with victims removed.
 */
export class DefaultPreemption implements PostFilterPlugin {
  static readonly NAME = 'DefaultPreemption';
  readonly name = DefaultPreemption.NAME;

  constructor(
    private readonly handle: FrameworkHandle,
    /** Where the dry run starts among the nodes, so preemption does not always hit the same ones. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Preempts, and words any message as the tail of FailedScheduling ("preemption: 0/3 nodes are available: ..."). */
  async postFilter(state: CycleState, pod: Pod, filteredNodeStatuses: NodeToStatus): Promise<PostFilterResult> {
    const result = await this.preempt(state, pod, filteredNodeStatuses);
    const message = result.status.message();
    return message ? { ...result, status: statusOf(result.status.code, `preemption: ${message}`) } : result;
  }

  private async preempt(state: CycleState, pod: Pod, statuses: NodeToStatus): Promise<PostFilterResult> {
    const notEligible = this.podEligibleToPreemptOthers(pod, statuses);
    if (notEligible) return { status: Status.unschedulable(notEligible) };

    const allNodes = this.handle.snapshot().nodeInfos();
    if (allNodes.length === 0) return { status: Status.error('no nodes available') };
    // Only nodes where the pod was merely Unschedulable; for UnschedulableAndUnresolvable ones
    // (a taint, a node selector...) no eviction helps.
    const potentialNodes = allNodes.filter((n) => statuses.get(n.name)?.code === 'Unschedulable');
    const { candidates, nodeStatuses } = this.dryRunPreemption(state, pod, potentialNodes);
    if (candidates.length === 0) {
      const errors = [...nodeStatuses.values()].filter((s) => s.code === 'Error').map((s) => s.message());
      if (errors.length) return { status: Status.error(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`) };
      // Nodes the dry run did not judge (not even potential) count as not helpful.
      for (const n of allNodes) if (!nodeStatuses.has(n.name)) nodeStatuses.set(n.name, Status.unresolvable(ERR_REASON_NOT_HELPFUL));
      const fitError = new FitError(pod, allNodes.length, { nodeToStatus: nodeStatuses, unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' });
      // Clear any earlier nomination: the pod has nowhere to wait for.
      return { nominatedNodeName: '', status: Status.unschedulable(fitError.message()) };
    }
    const best = selectCandidate(candidates);
    if (!best) return { status: Status.unschedulable('no candidate node for preemption') };
    try {
      await Promise.all(best.victims.map((victim) => this.handle.evict(victim, pod, best.name)));
    } catch (err) {
      return { status: Status.error((err as Error).message) };
    }
    return { nominatedNodeName: best.name, status: Status.success() };
  }

  /**
   * Whether the pod may preempt at all (PodEligibleToPreemptOthers): not with preemptionPolicy
   * Never, and not while pods it already preempted on its nominated node are still terminating —
   * unless that node has become unsuitable anyway. Returns why not, or undefined.
   */
  private podEligibleToPreemptOthers(pod: Pod, statuses: NodeToStatus): string | undefined {
    if (pod.spec?.preemptionPolicy === 'Never') return NOT_ELIGIBLE_PREEMPTION_POLICY_NEVER;
    const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName;
    if (!nominated) return undefined;
    // A node missing from the statuses was not even considered: as good as unresolvable.
    if ((statuses.get(nominated)?.code ?? 'UnschedulableAndUnresolvable') === 'UnschedulableAndUnresolvable') return undefined;
    const nodeInfo = this.handle.snapshot().get(nominated);
    const priority = podPriority(pod);
    if (nodeInfo?.pods.some((p) => podPriority(p.pod) < priority && podTerminatingByPreemption(p.pod))) return NOT_ELIGIBLE_TERMINATING_POD;
    return undefined;
  }

  /**
   * Tries the potential nodes from a random offset until enough candidates are found
   * (DryRunPreemption), each on a copy of the node and of the cycle state. Nodes that yield no
   * candidate get the reason why in `nodeStatuses`.
   */
  private dryRunPreemption(state: CycleState, pod: Pod, potentialNodes: NodeInfo[]): { candidates: Candidate[]; nodeStatuses: NodeToStatus } {
    const candidates: Candidate[] = [];
    const nodeStatuses: NodeToStatus = new Map();
    const n = potentialNodes.length;
    const offset = Math.floor(this.random() * n);
    const wanted = Math.min(n, Math.max(Math.floor((n * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE));
    for (let i = 0; i < n && candidates.length < wanted; i++) {
      const nodeInfo = potentialNodes[(offset + i) % n]!.clone();
      const { victims, status } = this.selectVictimsOnNode(state.clone(), pod, nodeInfo);
      if (status.isSuccess() && victims.length > 0) candidates.push({ name: nodeInfo.name, victims });
      else nodeStatuses.set(nodeInfo.name, status.isSuccess() ? Status.error(`expected at least one victim pod on node "${nodeInfo.name}"`) : status);
    }
    return { candidates, nodeStatuses };
  }

  /**
   * The fewest, least important pods to evict from `nodeInfo` (SelectVictimsOnNode): remove every
   * pod of lower priority; if the pod then fits, put them back one by one, most important first,
   * keeping each that still lets it fit. Those that could not go back are the victims.
   * `state` and `nodeInfo` are copies, changed in place.
   */
  private selectVictimsOnNode(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { victims: Pod[]; status: Status } {
    const priority = podPriority(pod);
    const potentialVictims = nodeInfo.pods.filter((p) => podPriority(p.pod) < priority);
    if (potentialVictims.length === 0) return { victims: [], status: Status.unresolvable(ERR_REASON_NO_VICTIMS) };
    for (const p of potentialVictims) {
      const removed = this.removePod(state, pod, p, nodeInfo);
      if (!removed.isSuccess()) return { victims: [], status: removed };
    }
    // If it does not fit even with all of them gone, this node cannot help. (Affinity of the pod
    // to the victims themselves is not considered, as in Kubernetes.)
    const fits = this.handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
    if (!fits.isSuccess()) return { victims: [], status: fits };

    const victims: Pod[] = [];
    potentialVictims.sort((a, b) => byImportance(a.pod, b.pod));
    for (const p of potentialVictims) {
      nodeInfo.addPod(p);
      const added = this.handle.runPreFilterExtensionAddPod(state, pod, p, nodeInfo);
      if (!added.isSuccess()) return { victims: [], status: Status.error(added.message()) };
      if (this.handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo).isSuccess()) continue;
      const removed = this.removePod(state, pod, p, nodeInfo);
      if (!removed.isSuccess()) return { victims: [], status: removed };
      victims.push(p.pod);
    }
    return { victims, status: Status.success() };
  }

  private removePod(state: CycleState, pod: Pod, p: PodInfo, nodeInfo: NodeInfo): Status {
    nodeInfo.removePod(p.pod);
    const status = this.handle.runPreFilterExtensionRemovePod(state, pod, p, nodeInfo);
    return status.isSuccess() ? status : Status.error(status.message());
  }
}

/** A pod being deleted because the scheduler preempted it (its DisruptionTarget condition says so). */
function podTerminatingByPreemption(pod: Pod): boolean {
  if (!pod.metadata.deletionTimestamp) return false;
  const conditions = ((pod.status as { conditions?: Array<{ type: string; status: string; reason?: string }> } | undefined)?.conditions ?? []);
  const disruption = conditions.find((c) => c.type === 'DisruptionTarget');
  return disruption?.status === 'True' && disruption.reason === 'PreemptionByScheduler';
}

function statusOf(code: Code, message: string): Status {
  switch (code) {
    case 'Unschedulable':
      return Status.unschedulable(message);
    case 'UnschedulableAndUnresolvable':
      return Status.unresolvable(message);
    default:
      return Status.error(message);
  }
}
