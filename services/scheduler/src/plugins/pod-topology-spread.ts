import { compileLabelSelector } from '@kubelab/apimachinery';
import { Resources } from '@kubelab/client';
import { getRequiredNodeAffinity } from '@kubelab/component-helpers';
import { ActionType, type ClusterEventWithHint, type QueueingHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import { Status } from '../framework/status';
import {
  MAX_NODE_SCORE,
  type FilterPlugin,
  type FrameworkHandle,
  type Node,
  type NodeScore,
  type Pod,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
} from '../framework/types';
import { missingState } from './helper/missing-state';
import { namespaceOf } from './inter-pod-affinity-terms';
import {
  countPodsMatchSelector,
  filterTopologySpreadConstraints,
  podCountsFor,
  LABEL_HOSTNAME,
  matchNodeInclusionPolicies,
  nodeLabelsMatchSpreadConstraints,
  SYSTEM_DEFAULT_CONSTRAINTS,
  type TopologySpreadConstraint,
  type TopologySpreadConstraintSpec,
  type WhenUnsatisfiable,
} from './pod-topology-spread-constraints';
import { defaultSelector, type DefaultSelectorListers } from './pod-topology-spread-default-selector';
import { CriticalPaths, PodTopologySpreadPreFilterState } from './pod-topology-spread-state';

/** A domain would exceed maxSkew: evicting matching pods there (preemption) could help. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
/** The node lacks a constraint's topology key: it is in no domain, and preemption cannot change that. */
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const PRE_FILTER_STATE_KEY = 'PreFilterPodTopologySpread';
const PRE_SCORE_STATE_KEY = 'PreScorePodTopologySpread';

interface PreScoreState {
  constraints: TopologySpreadConstraint[];
  /** Nodes missing a topology key: scored 0, left out of the normalization. */
  ignoredNodes: Set<string>;
  /** Per constraint (hostname excepted, counted per node in Score): topology value → matching pods. */
  topologyValueToPodCounts: Array<Map<string, number>>;
  /** Per constraint: log(domains + 2), so spreading over few big domains weighs less than over many. */
  topologyNormalizingWeight: number[];
}

/**
 * Kubernetes' PodTopologySpread plugin: spreads pods that match a selector evenly over topology
 * domains. DoNotSchedule constraints filter (a node is refused when its domain would have more
 * than maxSkew pods above the emptiest domain); ScheduleAnyway constraints score, fewer matching
 * pods scoring higher. A pod with no constraints gets the system defaults (by node and by zone,
 * among the pods of its Service / ReplicaSet / StatefulSet), scored only.
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly NAME = 'PodTopologySpread';
  readonly name = PodTopologySpread.NAME;
  private readonly listers: DefaultSelectorListers;

  constructor(private readonly handle: FrameworkHandle) {
    const factory = handle.sharedInformerFactory;
    this.listers = {
      services: factory?.informer(Resources.services).indexer,
      replicaSets: factory?.informer(Resources.replicasets).indexer,
      statefulSets: factory?.informer(Resources.statefulsets).indexer,
    };
  }

  /** Counts the matching pods per domain of every DoNotSchedule constraint, over the eligible nodes. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status } {
    let constraints: TopologySpreadConstraint[];
    try {
      constraints = this.constraints(pod, 'DoNotSchedule');
    } catch (err) {
      return { status: Status.error(`get constraints from pod: ${(err as Error).message}`) };
    }
    if (constraints.length === 0) return { status: Status.skip() };
    const namespace = namespaceOf(pod);
    const requiredNodeAffinity = getRequiredNodeAffinity(pod);
    // Every domain of an eligible node counts, with no matching pods too (it may be the minimum)...
    const tpValueToMatchNum = constraints.map(() => new Map<string, number>());
    // Per constraint, the eligible nodes by name: judged once per node, not once per pod on it.
    const eligibleNodes = constraints.map(() => new Set<string>());
    for (const { node } of snapshot.nodeInfos()) {
      if (!nodeLabelsMatchSpreadConstraints(node, constraints)) continue;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i]!;
        if (!matchNodeInclusionPolicies(c, pod, node, requiredNodeAffinity)) continue;
        eligibleNodes[i]!.add(node.metadata.name!);
        const value = node.metadata.labels![c.topologyKey]!;
        const counts = tpValueToMatchNum[i]!;
        if (!counts.has(value)) counts.set(value, 0);
      }
    }
    // ...then the matching pods on eligible nodes, from those the selector may match.
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      const counts = tpValueToMatchNum[i]!;
      const eligible = eligibleNodes[i]!;
      snapshot.forEachCandidatePod(c.selector, ({ pod: existing }, { node }) => {
        if (!podCountsFor(existing, c, namespace) || !eligible.has(node.metadata.name!)) return;
        const value = node.metadata.labels![c.topologyKey]!;
        counts.set(value, counts.get(value)! + 1);
      });
    }
    const criticalPaths = tpValueToMatchNum.map((counts) => {
      const paths = new CriticalPaths();
      for (const [value, num] of counts) paths.update(value, num);
      return paths;
    });
    state.write(PRE_FILTER_STATE_KEY, new PodTopologySpreadPreFilterState(constraints, tpValueToMatchNum, criticalPaths));
    return { status: Status.success() };
  }

  addPod(state: CycleState, podToSchedule: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status {
    return this.updateWithPod(state, podToAdd.pod, podToSchedule, nodeInfo.node, 1);
  }

  removePod(state: CycleState, podToSchedule: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status {
    return this.updateWithPod(state, podToRemove.pod, podToSchedule, nodeInfo.node, -1);
  }

  /** For each constraint: pods in the node's domain, plus this one if it matches, minus the global minimum, must not exceed maxSkew. */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<PodTopologySpreadPreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return missingState(PRE_FILTER_STATE_KEY);
    const labels = nodeInfo.node.metadata.labels ?? {};
    const podLabels = pod.metadata.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = labels[c.topologyKey];
      if (value === undefined) return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const selfMatchNum = c.matches(podLabels) ? 1 : 0;
      const matchNum = s.tpValueToMatchNum[i]!.get(value) ?? 0;
      if (matchNum + selfMatchNum - s.minMatchNum(i) > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return Status.success();
  }

  /**
   * Sets up the ScheduleAnyway constraints' domains among the filtered nodes and counts matching
   * pods in them over all nodes. With the system defaults, nodes without a zone label are still
   * scored by hostname; with the pod's own constraints, nodes missing a key are ignored.
   */
  preScore(state: CycleState, pod: Pod, filteredNodes: NodeInfo[]): Status {
    const allNodes = this.handle.snapshot().nodeInfos();
    if (allNodes.length === 0) return Status.skip();
    const hasOwnConstraints = ownConstraints(pod).length > 0;
    let constraints: TopologySpreadConstraint[];
    try {
      constraints = this.constraints(pod, 'ScheduleAnyway');
    } catch (err) {
      return Status.error(`calculating preScoreState: ${(err as Error).message}`);
    }
    if (constraints.length === 0) return Status.skip();
    const requireAllTopologies = hasOwnConstraints;
    const s: PreScoreState = { constraints, ignoredNodes: new Set(), topologyValueToPodCounts: constraints.map(() => new Map()), topologyNormalizingWeight: [] };
    for (const { node } of filteredNodes) {
      if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(node, constraints)) {
        s.ignoredNodes.add(node.metadata.name!);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey !== LABEL_HOSTNAME) s.topologyValueToPodCounts[i]!.set(node.metadata.labels?.[c.topologyKey] ?? '', 0);
      });
    }
    s.topologyNormalizingWeight = constraints.map((c, i) =>
      Math.log((c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - s.ignoredNodes.size : s.topologyValueToPodCounts[i]!.size) + 2),
    );

    const namespace = namespaceOf(pod);
    const requiredNodeAffinity = getRequiredNodeAffinity(pod);
    for (const { node, pods } of allNodes) {
      if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!matchNodeInclusionPolicies(c, pod, node, requiredNodeAffinity)) return;
        const counts = s.topologyValueToPodCounts[i]!;
        const value = node.metadata.labels?.[c.topologyKey] ?? '';
        // Only domains of candidate nodes are counted; hostname is counted per node in Score.
        const count = counts.get(value);
        if (count !== undefined) counts.set(value, count + countPodsMatchSelector(pods, c, namespace));
      });
    }
    state.write(PRE_SCORE_STATE_KEY, s);
    return Status.success();
  }

  /** The matching pods in the node's domains, each constraint weighted by its domain count and loosened by maxSkew; lower is better until normalized. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return { score: 0, status: missingState(PRE_SCORE_STATE_KEY) };
    const node = nodeInfo.node;
    if (s.ignoredNodes.has(node.metadata.name!)) return { score: 0, status: Status.success() };
    let score = 0;
    s.constraints.forEach((c, i) => {
      const value = node.metadata.labels?.[c.topologyKey];
      if (value === undefined) return;
      const count = c.topologyKey === LABEL_HOSTNAME ? countPodsMatchSelector(nodeInfo.pods, c, namespaceOf(pod)) : (s.topologyValueToPodCounts[i]!.get(value) ?? 0);
      score += count * s.topologyNormalizingWeight[i]! + (c.maxSkew - 1);
    });
    return { score: Math.round(score), status: Status.success() };
  }

  /** Inverts and scales: the node with the fewest matching pods gets MAX_NODE_SCORE; ignored nodes get 0. */
  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return missingState(PRE_SCORE_STATE_KEY);
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const n of scores) {
      if (s.ignoredNodes.has(n.name)) continue;
      min = Math.min(min, n.score);
      max = Math.max(max, n.score);
    }
    for (const n of scores) {
      if (s.ignoredNodes.has(n.name)) n.score = 0;
      else if (max === 0) n.score = MAX_NODE_SCORE;
      else n.score = Math.trunc((MAX_NODE_SCORE * (max + min - n.score)) / max);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete, label: 'AssignedPodAdd|AssignedPodUpdateLabel|AssignedPodDelete' },
        queueingHint: (pod, oldPod, newPod) => this.isSchedulableAfterPodChange(pod, oldPod, newPod),
      },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint, label: 'NodeAdd|NodeDelete|NodeLabelChange|NodeTaintChange' } },
    ];
  }

  /**
   * Only assigned pods of the same namespace count, and only when their coming, going or
   * relabelling changes what a DoNotSchedule constraint (the only kind that rejects) matches.
   */
  private isSchedulableAfterPodChange(pod: Pod, oldPod: Pod | undefined, newPod: Pod | undefined): QueueingHint {
    const involved = (p: Pod) => Boolean(p.spec?.nodeName) && namespaceOf(p) === namespaceOf(pod);
    if ((newPod && !involved(newPod)) || (oldPod && !involved(oldPod))) return 'QueueSkip';
    let constraints: TopologySpreadConstraint[];
    try {
      constraints = this.constraints(pod, 'DoNotSchedule');
    } catch {
      return 'Queue';
    }
    const matches = (c: TopologySpreadConstraint, p: Pod) => c.matches(p.metadata.labels ?? {});
    if (oldPod && newPod) return constraints.some((c) => matches(c, oldPod) !== matches(c, newPod)) ? 'Queue' : 'QueueSkip';
    const changed = newPod ?? oldPod;
    return changed && constraints.some((c) => matches(c, changed)) ? 'Queue' : 'QueueSkip';
  }

  /** The pod's own constraints for `action`, or the system defaults when it has none at all. */
  private constraints(pod: Pod, action: WhenUnsatisfiable): TopologySpreadConstraint[] {
    const own = ownConstraints(pod);
    const podLabels = pod.metadata.labels ?? {};
    if (own.length > 0) return filterTopologySpreadConstraints(own, podLabels, action);
    const defaults = filterTopologySpreadConstraints(SYSTEM_DEFAULT_CONSTRAINTS, podLabels, action);
    if (defaults.length === 0) return [];
    const selector = defaultSelector(pod, this.listers);
    if (selector.isEmpty()) return [];
    const matches = compileLabelSelector(selector);
    return defaults.map((c) => ({ ...c, selector, matches }));
  }

  /** Counts `updated` (on `node`) in or out of the pre-filter counts, for preemption's what-ifs. */
  private updateWithPod(state: CycleState, updated: Pod, preemptor: Pod, node: Node, delta: number): Status {
    const s = state.read<PodTopologySpreadPreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return missingState(PRE_FILTER_STATE_KEY);
    if (namespaceOf(updated) !== namespaceOf(preemptor) || !nodeLabelsMatchSpreadConstraints(node, s.constraints)) return Status.success();
    const requiredNodeAffinity = getRequiredNodeAffinity(preemptor);
    const labels = updated.metadata.labels ?? {};
    s.constraints.forEach((c, i) => {
      if (!c.matches(labels) || !matchNodeInclusionPolicies(c, preemptor, node, requiredNodeAffinity)) return;
      s.update(i, node.metadata.labels![c.topologyKey]!, delta);
    });
    return Status.success();
  }
}

function ownConstraints(pod: Pod): TopologySpreadConstraintSpec[] {
  return (pod.spec?.topologySpreadConstraints ?? []) as TopologySpreadConstraintSpec[];
}
