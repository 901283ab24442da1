import { ActionType, type ClusterEventWithHint, type QueueingHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import { hasScoringAffinityTerms, newPodInfo } from '../framework/pod-info';
import { Status } from '../framework/status';
import {
  MAX_NODE_SCORE,
  type FilterPlugin,
  type FrameworkHandle,
  type NodeScore,
  type Pod,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
} from '../framework/types';
import { missingState } from './helper/missing-state';
import { processExistingPod, TopologyScores } from './inter-pod-affinity-scoring';
import { InterPodAffinityPreFilterState, TopologyPairCounts } from './inter-pod-affinity-state';
import { namespaceLabelsOf, podMatchesAllTerms, termMatches, type NamespaceLabels } from './inter-pod-affinity-terms';

/** The incoming pod's required affinity is unmet: no preemption can bring a matching pod, hence UnschedulableAndUnresolvable. */
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
/** The incoming pod's required anti-affinity: removing the matching pods (preemption) could help. */
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
/** An existing pod's required anti-affinity rejects the incoming pod. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

const PRE_FILTER_STATE_KEY = 'PreFilterInterPodAffinity';
const PRE_SCORE_STATE_KEY = 'PreScoreInterPodAffinity';

/** InterPodAffinityArgs.hardPodAffinityWeight's default: the score an existing pod's required affinity gives the domain it is in. */
const HARD_POD_AFFINITY_WEIGHT = 1;

interface PreScoreState {
  scores: TopologyScores;
}

/**
 * Kubernetes' InterPodAffinity plugin: pods placed by the pods already there, per topology domain
 * (a node, a zone, anything a node label names). Filter enforces required affinity and
 * anti-affinity, both the incoming pod's and the existing pods' anti-affinity against it; Score
 * prefers the domains the preferred terms point to.
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly NAME = 'InterPodAffinity';
  readonly name = InterPodAffinity.NAME;

  constructor(private readonly handle: FrameworkHandle) {}

  /**
   * Counts, once, per topology domain: existing pods whose required anti-affinity matches the
   * incoming pod, and existing pods that match the incoming pod's required (anti-)affinity.
   * Skips Filter when there is nothing to check.
   */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status } {
    let podInfo: PodInfo;
    try {
      podInfo = newPodInfo(pod);
    } catch (err) {
      return { status: Status.unresolvable(`parsing pod: ${(err as Error).message}`) };
    }
    const namespaceLabels = namespaceLabelsOf(snapshot);
    // Each distinct term of the existing pods is matched once, and counts for all the pods that hold it.
    const existingAntiAffinityCounts = new TopologyPairCounts();
    for (const { term, counts } of snapshot.existingAntiAffinityTerms()) {
      if (!termMatches(term, pod, namespaceLabels)) continue;
      for (const [value, count] of counts) existingAntiAffinityCounts.add(term.topologyKey, value, count);
    }
    // The incoming pod's terms against the existing pods their selectors may match. A pod must match
    // every affinity term to count, so the first term's candidates are enough for all of them.
    const affinityCounts = new TopologyPairCounts();
    const affinityTerms = podInfo.requiredAffinityTerms;
    if (affinityTerms.length) {
      snapshot.forEachCandidatePod(affinityTerms[0]!.selector, (existing, nodeInfo) => {
        affinityCounts.updateWithAffinityTerms(affinityTerms, existing.pod, nodeInfo.node, namespaceLabels, 1);
      });
    }
    const antiAffinityCounts = new TopologyPairCounts();
    for (const term of podInfo.requiredAntiAffinityTerms) {
      snapshot.forEachCandidatePod(term.selector, (existing, nodeInfo) => {
        if (termMatches(term, existing.pod, namespaceLabels)) antiAffinityCounts.update(nodeInfo.node, term.topologyKey, 1);
      });
    }
    if (existingAntiAffinityCounts.size === 0 && !podInfo.requiredAffinityTerms.length && !podInfo.requiredAntiAffinityTerms.length) {
      return { status: Status.skip() };
    }
    state.write(PRE_FILTER_STATE_KEY, new InterPodAffinityPreFilterState(podInfo, namespaceLabels, existingAntiAffinityCounts, affinityCounts, antiAffinityCounts));
    return { status: Status.success() };
  }

  addPod(state: CycleState, _podToSchedule: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status {
    return this.updateWithPod(state, podToAdd, nodeInfo, 1);
  }

  removePod(state: CycleState, _podToSchedule: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status {
    return this.updateWithPod(state, podToRemove, nodeInfo, -1);
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<InterPodAffinityPreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return missingState(PRE_FILTER_STATE_KEY);
    if (!satisfyPodAffinity(s, nodeInfo)) return Status.unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
    if (!satisfyPodAntiAffinity(s, nodeInfo)) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    if (s.existingAntiAffinityCounts.anyOnNode(nodeInfo.node)) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    return Status.success();
  }

  /**
   * Sums the preferred terms per topology domain: the incoming pod's against every pod when it has
   * preferred terms, otherwise only the existing pods' terms (so only nodes with such pods).
   */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    if (nodes.length === 0) return Status.skip();
    // PreFilter parsed the same pod this cycle, unless it skipped.
    let podInfo = state.read<InterPodAffinityPreFilterState>(PRE_FILTER_STATE_KEY)?.podInfo;
    try {
      podInfo ??= newPodInfo(pod);
    } catch (err) {
      return Status.error(`failed to parse pod: ${(err as Error).message}`);
    }
    const snapshot = this.handle.snapshot();
    const hasConstraints = podInfo.preferredAffinityTerms.length > 0 || podInfo.preferredAntiAffinityTerms.length > 0;
    // Without preferred terms of its own, only the existing pods' scoring terms count: with none, nothing would.
    if (!hasConstraints && snapshot.numPodsWithScoringAffinity() === 0) return Status.skip();
    const namespaceLabels = namespaceLabelsOf(snapshot);
    const scores = new TopologyScores();
    for (const nodeInfo of hasConstraints ? snapshot.nodeInfos() : snapshot.havePodsWithAffinity()) {
      for (const existing of hasConstraints ? nodeInfo.pods : nodeInfo.podsWithAffinity) {
        if (!hasConstraints && !hasScoringAffinityTerms(existing)) continue;
        processExistingPod(scores, podInfo, existing, nodeInfo.node, namespaceLabels, HARD_POD_AFFINITY_WEIGHT);
      }
    }
    if (scores.size === 0) return Status.skip();
    state.write(PRE_SCORE_STATE_KEY, { scores } satisfies PreScoreState);
    return Status.success();
  }

  /** The raw sum of the weights of the domains the node is in; negative where anti-affinity dominates. */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return { score: 0, status: missingState(PRE_SCORE_STATE_KEY) };
    return { score: s.scores.scoreOf(nodeInfo.node), status: Status.success() };
  }

  /** Rescales linearly so the lowest raw score becomes 0 and the highest MAX_NODE_SCORE. */
  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return missingState(PRE_SCORE_STATE_KEY);
    if (s.scores.size === 0 || scores.length === 0) return Status.success();
    const min = Math.min(...scores.map((n) => n.score));
    const diff = Math.max(...scores.map((n) => n.score)) - min;
    for (const n of scores) n.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (n.score - min)) / diff) : 0;
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete, label: 'AssignedPodAdd|AssignedPodUpdateLabel|AssignedPodDelete' },
        queueingHint: (pod, oldPod, newPod) => isSchedulableAfterPodChange(pod, oldPod, newPod, namespaceLabelsOf(this.handle.snapshot())),
      },
      // A node added or relabelled may open a domain (or leave one).
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel, label: 'NodeAdd|NodeLabelChange' } },
    ];
  }

  private updateWithPod(state: CycleState, podInfo: PodInfo, nodeInfo: NodeInfo, delta: number): Status {
    const s = state.read<InterPodAffinityPreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return missingState(PRE_FILTER_STATE_KEY);
    s.updateWithPod(podInfo, nodeInfo.node, delta);
    return Status.success();
  }
}

/**
 * Every required affinity term's topology key must be on the node, and each domain must already
 * hold a matching pod — except for the first pod of a group whose terms match itself: when no pod
 * anywhere matches, it may go to any node that has the keys.
 */
function satisfyPodAffinity(s: InterPodAffinityPreFilterState, nodeInfo: NodeInfo): boolean {
  const labels = nodeInfo.node.metadata.labels ?? {};
  let podsExist = true;
  for (const term of s.podInfo.requiredAffinityTerms) {
    const value = labels[term.topologyKey];
    if (value === undefined) return false;
    if (s.affinityCounts.get(term.topologyKey, value) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.podInfo.requiredAffinityTerms, s.podInfo.pod, s.namespaceLabels);
}

/** No domain of the node (for each required anti-affinity term's key) may hold a matching pod. */
function satisfyPodAntiAffinity(s: InterPodAffinityPreFilterState, nodeInfo: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = nodeInfo.node.metadata.labels ?? {};
  for (const term of s.podInfo.requiredAntiAffinityTerms) {
    const value = labels[term.topologyKey];
    if (value !== undefined && s.antiAffinityCounts.get(term.topologyKey, value) > 0) return false;
  }
  return true;
}

/**
 * Whether an assigned pod that was added, relabelled or deleted may let `pod` in: one now matching
 * its required affinity, one no longer (or no more) matching its anti-affinity, one gone whose own
 * anti-affinity kept `pod` away. Unassigned pods change nothing.
 */
function isSchedulableAfterPodChange(pod: Pod, oldPod: Pod | undefined, newPod: Pod | undefined, namespaceLabels: NamespaceLabels): QueueingHint {
  if ((newPod && !newPod.spec?.nodeName) || (oldPod && !oldPod.spec?.nodeName)) return 'QueueSkip';
  try {
    const podInfo = newPodInfo(pod);
    const affinity = (p: Pod) => podMatchesAllTerms(podInfo.requiredAffinityTerms, p, namespaceLabels);
    const antiAffinity = (p: Pod) => podInfo.requiredAntiAffinityTerms.some((t) => termMatches(t, p, namespaceLabels));
    if (oldPod && newPod) return (!affinity(oldPod) && affinity(newPod)) || (antiAffinity(oldPod) && !antiAffinity(newPod)) ? 'Queue' : 'QueueSkip';
    if (newPod) return affinity(newPod) ? 'Queue' : 'QueueSkip';
    if (!oldPod) return 'Queue';
    const existingAntiAffinity = newPodInfo(oldPod).requiredAntiAffinityTerms.some((t) => termMatches(t, pod, namespaceLabels));
    // A deleted match of the pod's own affinity counts too: with none left, the first-pod rule may apply.
    return antiAffinity(oldPod) || existingAntiAffinity || affinity(oldPod) ? 'Queue' : 'QueueSkip';
  } catch {
    return 'Queue';
  }
}
