import { compileLabelSelector, LabelSelector, labelSelectorAsSelector, Requirement, type LabelSelectorObject, type LabelsMatcher } from '@kubelab/apimachinery';
import { doNotScheduleTaint, findMatchingUntoleratedTaint, nodeTaints, podTolerations, type RequiredNodeAffinity } from '@kubelab/component-helpers';
import type { Node, Pod, PodInfo } from '../framework/types';
import { namespaceOf } from './inter-pod-affinity-terms';

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';
export type NodeInclusionPolicy = 'Honor' | 'Ignore';

/** spec.topologySpreadConstraints[i] as the API has it. */
export interface TopologySpreadConstraintSpec {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: WhenUnsatisfiable;
  labelSelector?: LabelSelectorObject | null;
  minDomains?: number;
  nodeAffinityPolicy?: NodeInclusionPolicy;
  nodeTaintsPolicy?: NodeInclusionPolicy;
  matchLabelKeys?: string[];
}

/** A constraint with its selector parsed and its defaults filled in (topologySpreadConstraint). */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  /** selector.matches, compiled: it runs against every pod of the cluster. */
  matches: LabelsMatcher;
  minDomains: number;
  nodeAffinityPolicy: NodeInclusionPolicy;
  nodeTaintsPolicy: NodeInclusionPolicy;
}

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/**
 * What a pod without constraints of its own is spread by (PodTopologySpreadArgs' system
 * defaults): softly over nodes and zones, among the pods of the same Service / ReplicaSet /
 * StatefulSet.
 */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraintSpec[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/**
 * The constraints for one `whenUnsatisfiable`, parsed: matchLabelKeys adds the pod's own values of
 * those labels to the selector (so a rollout's new pods spread among themselves); minDomains
 * defaults to 1, nodeAffinityPolicy to Honor, nodeTaintsPolicy to Ignore. Throws on a bad selector.
 */
export function filterTopologySpreadConstraints(
  constraints: readonly TopologySpreadConstraintSpec[],
  podLabels: Record<string, string>,
  action: WhenUnsatisfiable,
): TopologySpreadConstraint[] {
  const result: TopologySpreadConstraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = labelSelectorAsSelector(c.labelSelector);
    const matchLabels = (c.matchLabelKeys ?? []).filter((key) => key in podLabels).map((key) => new Requirement(key, '=', [podLabels[key]!]));
    if (matchLabels.length && !selector.isNothing()) selector = LabelSelector.of([...matchLabels, ...selector.requirements]);
    result.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      matches: compileLabelSelector(selector),
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    });
  }
  return result;
}

/** Whether the node carries every constraint's topology key. */
export function nodeLabelsMatchSpreadConstraints(node: Node, constraints: readonly TopologySpreadConstraint[]): boolean {
  const labels = node.metadata.labels ?? {};
  for (const c of constraints) if (!(c.topologyKey in labels)) return false;
  return true;
}

/**
 * Whether the node is a domain of the constraint for this pod (nodeAffinityPolicy /
 * nodeTaintsPolicy): with Honor, only a node the pod's nodeSelector and required node affinity
 * select, and whose NoSchedule / NoExecute taints it tolerates, counts.
 */
export function matchNodeInclusionPolicies(c: TopologySpreadConstraint, pod: Pod, node: Node, requiredNodeAffinity: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !requiredNodeAffinity.match(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findMatchingUntoleratedTaint(nodeTaints(node), podTolerations(pod), doNotScheduleTaint)) return false;
  return true;
}

/**
 * The pods on a node that count for a constraint: same namespace as the incoming pod, not
 * terminating, labels matched. An empty selector (labelSelector `{}`) counts none, as Kubernetes'
 * countPodsMatchSelector does.
 */
export function countPodsMatchSelector(pods: readonly PodInfo[], constraint: TopologySpreadConstraint, namespace: string): number {
  let count = 0;
  for (const { pod } of pods) if (podCountsFor(pod, constraint, namespace)) count++;
  return count;
}

/** Whether one pod counts for the constraint, as countPodsMatchSelector counts it. */
export function podCountsFor(pod: Pod, constraint: TopologySpreadConstraint, namespace: string): boolean {
  if (constraint.selector.isEmpty() || pod.metadata.deletionTimestamp || namespaceOf(pod) !== namespace) return false;
  return constraint.matches(pod.metadata.labels ?? {});
}
