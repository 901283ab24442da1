import { labelSelectorAsSelector, type LabelSelectorObject } from '@kubelab/apimachinery';
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
  const term: AffinityTerm = { namespaces, selector: (l) => selector.matches(l), topologyKey: spec.topologyKey };
  if (spec.namespaceSelector) {
    const nsSelector = labelSelectorAsSelector(spec.namespaceSelector);
    term.namespaceSelector = (l) => nsSelector.matches(l);
  } else if (namespaces.size === 0) {
    namespaces.add(pod.metadata.namespace ?? 'default');
  }
  return term;
}
