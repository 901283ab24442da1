import type { LabelSelector, LabelsMatcher } from '@kubelab/apimachinery';
import type { InformerFactory, KubeObject } from '@kubelab/client';
import type { ClusterEventWithHint } from './cluster-event';
import type { CycleState } from './cycle-state';
import type { NodeInfo } from './node-info';
import type { Status } from './status';

/**
 * The scheduling framework's extension points (Kubernetes' pkg/scheduler/framework/interface.go),
 * cut down to what kubelab's plugins use. A plugin implements the points it needs; the framework
 * calls each in its profile's order. Plugins are pure functions of the pod, the cycle state and
 * the snapshot: no I/O, so a unit test calls `filter` / `score` with fixtures.
 */
export type Pod = KubeObject;
export type Node = KubeObject;

export interface Plugin {
  /** Kubernetes' plugin name ("NodeResourcesFit"); the FailedScheduling message and logs use it. */
  readonly name: string;
  /**
   * The cluster events that may make a pod this plugin rejected schedulable (EnqueueExtensions).
   * A plugin without it is woken by every event, as in Kubernetes.
   */
  eventsToRegister?(): ClusterEventWithHint[];
}

/** The order pods leave the active queue (PrioritySort: higher priority first, then older). */
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** Once per pod per cycle, before Filter: precompute into the cycle state, or reject at once. */
export interface PreFilterPlugin extends Plugin {
  /** `nodeNames`, when returned, narrows the nodes Filter runs on (NodeName, NodeAffinity). */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status; nodeNames?: Set<string> };
  /**
   * For preemption, which simulates removing victims: adjust what preFilter stored as if `podToAdd`
   * were added to / `podToRemove` removed from `nodeInfo`. Only plugins whose state depends on
   * other pods (InterPodAffinity, PodTopologySpread, NodeResourcesFit does not) implement it.
   */
  addPod?(state: CycleState, podToSchedule: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  removePod?(state: CycleState, podToSchedule: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status;
}

/** Can the pod run on this node? Unschedulable with reasons if not (the reasons end up in FailedScheduling). */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
}

/** After every node failed Filter: try to make room (DefaultPreemption). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, filteredNodeStatuses: NodeToStatus): Promise<PostFilterResult>;
}

export interface PostFilterResult {
  status: Status;
  /**
   * The node the pod may go to once its victims are gone. Set (even to '') it overrides the pod's
   * status.nominatedNodeName ('' clears it); left out, the nomination stays as it was.
   */
  nominatedNodeName?: string;
}

/** Once per pod per cycle, before Score, with the nodes that passed Filter. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

/** 0..100 per node (MAX_NODE_SCORE), higher is better; normalizeScore may rescale after all nodes are scored. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status };
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): Status;
}

export const MAX_NODE_SCORE = 100;

export interface NodeScore {
  name: string;
  score: number;
}

/** Node name → why the pod cannot go there. */
export type NodeToStatus = Map<string, Status>;

/** A pod as the scheduler keeps it, with what plugins need precomputed (framework.PodInfo). */
export interface PodInfo {
  pod: Pod;
  /** Parsed once: spec.affinity.podAffinity / podAntiAffinity terms. */
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: WeightedAffinityTerm[];
  preferredAntiAffinityTerms: WeightedAffinityTerm[];
}

export interface AffinityTerm {
  /** Where the term looks: the pod's namespace when the term names none. */
  namespaces: Set<string>;
  /** Matches pods by labels (labelSelector, plus matchLabelKeys / mismatchLabelKeys). */
  selector: LabelSelector;
  /** selector.matches, compiled: it runs against many pods every cycle. */
  matches: LabelsMatcher;
  topologyKey: string;
  /** namespaceSelector: null matches none beyond `namespaces`; {} matches every namespace. */
  namespaceSelector?: LabelsMatcher;
  /**
   * The same for terms that match the same pods in the same domains (the replicas of one
   * Deployment carry one term): the snapshot counts existing pods per distinct term.
   */
  key: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** One distinct required anti-affinity term of the pods in a snapshot, and where those pods are. */
export interface CountedAntiAffinityTerm {
  /** The term as the first pod that brought it has it (the others' are the same). */
  readonly term: AffinityTerm;
  /** Value of the node's `term.topologyKey` label → pods holding the term on nodes with that value. */
  readonly counts: ReadonlyMap<string, number>;
}

/** A pod waiting in the scheduling queue. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it was added to the queue (ms). */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When it was first added (ms), for the scheduling latency metric. */
  initialAttemptTimestamp: number;
  /** Plugins that rejected it last time: only cluster events they care about move it back. */
  unschedulablePlugins: Set<string>;
}

/**
 * The cluster as one scheduling cycle sees it: a consistent snapshot of every node with the pods
 * bound (or assumed) to it. Plugins read it; nothing writes it during a cycle.
 */
export interface Snapshot {
  nodeInfos(): NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Nodes with at least one pod that has (anti-)affinity terms: InterPodAffinity's PreScore only scans these. */
  havePodsWithAffinity(): NodeInfo[];
  /** Pods whose terms score other pods (hasScoringAffinityTerms): with none, InterPodAffinity's PreScore need not scan at all. */
  numPodsWithScoringAffinity(): number;
  /** The required anti-affinity terms of the pods on these nodes, each distinct term once, counted per topology domain. */
  existingAntiAffinityTerms(): Iterable<CountedAntiAffinityTerm>;
  /**
   * Calls `visit` for each pod `selector` may match, with its node: the pods carrying a label
   * value it requires, or every pod when it requires none. The caller still matches each one.
   */
  forEachCandidatePod(selector: LabelSelector, visit: (podInfo: PodInfo, nodeInfo: NodeInfo) => void): void;
  /** Labels of a namespace, for namespaceSelector ({} when unknown). */
  namespaceLabels(namespace: string): Record<string, string>;
}

/**
 * What plugins may ask of the framework (framework.Handle). Preemption uses it to run the other
 * plugins on a node with victims removed, and to evict.
 */
export interface FrameworkHandle {
  snapshot(): Snapshot;
  /** Runs every Filter plugin on the node (after the cycle's PreFilter), Success or the first rejection. */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /**
   * As runFilterPlugins, but first as if the pods nominated to the node with a priority at least
   * the pod's were there (RunFilterPluginsWithNominatedPods): what the scheduling cycle runs, and
   * what preemption should run to judge a node with its victims removed.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /** Tells every PreFilter plugin with extensions that `podInfo` was added to / removed from `nodeInfo`. */
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status;
  /** Deletes a preemption victim through the API, with a Preempted event and DisruptionTarget condition. */
  evict(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  /** Pods nominated to a node by an earlier preemption, not yet bound (they hold room on it). */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  /**
   * The scheduler's shared informers (Handle.SharedInformerFactory), for plugins that read other
   * objects: PodTopologySpread's system-default spreading groups pods by the Services, ReplicaSets
   * and StatefulSets that select them. Absent (as in unit tests), that spreading is off.
   */
  readonly sharedInformerFactory?: InformerFactory;
}
