import { compileLabelSelector, labelSelectorAsSelector, type LabelSelector, type LabelSelectorObject } from '@kubelab/apimachinery';
import type { AffinityTerm, Pod, PodInfo, WeightedAffinityTerm } from './types';

interface PodAffinityTermSpec {
  labelSelector?: LabelSelectorObject | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelectorObject | null;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

/** spec.priority, which the Priority admission plugin set from the pod's PriorityClass (0 without one). */
export function podPriority(pod: Pod): number {
  return Number(pod.spec?.priority ?? 0);
}

/**
 * Whether the pod's terms score other pods in InterPodAffinity's PreScore: its required affinity
 * (at hardPodAffinityWeight) and its preferred terms do; its required anti-affinity only filters.
 */
export function hasScoringAffinityTerms(podInfo: PodInfo): boolean {
  return podInfo.requiredAffinityTerms.length > 0 || podInfo.preferredAffinityTerms.length > 0 || podInfo.preferredAntiAffinityTerms.length > 0;
}

/** Parses a pod's (anti-)affinity terms once, when it enters the scheduler (framework.NewPodInfo). */
export function newPodInfo(pod: Pod): PodInfo {
  const affinity = (pod.spec?.affinity ?? {}) as {
    podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTermSpec[]; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; podAffinityTerm: PodAffinityTermSpec }> };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTermSpec[]; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; podAffinityTerm: PodAffinityTermSpec }> };
  };
  const term = (spec: PodAffinityTermSpec): AffinityTerm => affinityTerm(pod, spec);
  const weighted = (w: { weight: number; podAffinityTerm: PodAffinityTermSpec }): WeightedAffinityTerm => ({ ...term(w.podAffinityTerm), weight: w.weight });
  return {
    pod,
    requiredAffinityTerms: (affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(term),
    requiredAntiAffinityTerms: (affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(term),
    preferredAffinityTerms: (affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
    preferredAntiAffinityTerms: (affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
  };
}

/** One term: its selector (with matchLabelKeys / mismatchLabelKeys folded in from the pod's labels), namespaces and topology key. */
function affinityTerm(pod: Pod, spec: PodAffinityTermSpec): AffinityTerm {
  const labels = pod.metadata.labels ?? {};
  const exprs = [...(spec.labelSelector?.matchExpressions ?? [])];
  for (const key of spec.matchLabelKeys ?? []) if (key in labels) exprs.push({ key, operator: 'In', values: [labels[key]!] });
  for (const key of spec.mismatchLabelKeys ?? []) if (key in labels) exprs.push({ key, operator: 'NotIn', values: [labels[key]!] });
  const selectorSpec = spec.labelSelector ? { ...spec.labelSelector, matchExpressions: exprs } : exprs.length ? { matchExpressions: exprs } : null;
  const selector = labelSelectorAsSelector(selectorSpec);
  const namespaces = new Set(spec.namespaces ?? []);
  const nsSelector = spec.namespaceSelector ? labelSelectorAsSelector(spec.namespaceSelector) : undefined;
  if (!nsSelector && namespaces.size === 0) namespaces.add(pod.metadata.namespace ?? 'default');
  const term: AffinityTerm = { namespaces, selector, matches: compileLabelSelector(selector), topologyKey: spec.topologyKey, key: termKey(spec.topologyKey, namespaces, selector, nsSelector) };
  if (nsSelector) term.namespaceSelector = compileLabelSelector(nsSelector);
  return term;
}

/**
 * What makes two terms the same: topology key, namespaces, and both selectors in their string
 * form (requirements sorted, as Kubernetes prints them; valid keys and values cannot make two
 * selectors print alike). A selector that matches nothing prints as one that matches everything,
 * so it is told apart.
 */
function termKey(topologyKey: string, namespaces: Set<string>, selector: LabelSelector, nsSelector: LabelSelector | undefined): string {
  const text = (s: LabelSelector) => (s.isNothing() ? null : s.toString());
  return JSON.stringify([topologyKey, [...namespaces].sort(), text(selector), nsSelector ? text(nsSelector) : false]);
}
