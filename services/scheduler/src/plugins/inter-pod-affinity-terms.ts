import type { AffinityTerm, Pod, Snapshot } from '../framework/types';

/** A namespace's labels, for terms with a namespaceSelector. */
export type NamespaceLabels = (namespace: string) => Record<string, string>;

/**
 * The snapshot's namespace labels, looked up once per namespace: one cycle matches the same few
 * namespaces against many pods.
 */
export function namespaceLabelsOf(snapshot: Snapshot): NamespaceLabels {
  const seen = new Map<string, Record<string, string>>();
  return (namespace) => {
    let labels = seen.get(namespace);
    if (!labels) {
      labels = snapshot.namespaceLabels(namespace);
      seen.set(namespace, labels);
    }
    return labels;
  };
}

export function namespaceOf(pod: Pod): string {
  return pod.metadata.namespace ?? 'default';
}

/**
 * Whether `pod` is one the term is about (framework.AffinityTerm.Matches): it lives in one of the
 * term's namespaces, or in one its namespaceSelector picks, and its labels match the selector.
 * The same test serves both directions: the incoming pod's terms against existing pods, and
 * existing pods' terms against the incoming pod.
 */
export function termMatches(term: AffinityTerm, pod: Pod, namespaceLabels: NamespaceLabels): boolean {
  const namespace = namespaceOf(pod);
  const inScope = term.namespaces.has(namespace) || (term.namespaceSelector !== undefined && term.namespaceSelector(namespaceLabels(namespace)));
  return inScope && term.matches(pod.metadata.labels ?? {});
}

/**
 * Whether `pod` matches every term (podMatchesAllAffinityTerms). Required affinity terms count a
 * pod only when it satisfies all of them at once; no terms matches nothing.
 */
export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: Pod, namespaceLabels: NamespaceLabels): boolean {
  return terms.length > 0 && terms.every((term) => termMatches(term, pod, namespaceLabels));
}
