import type { AffinityTerm, Node, Pod, PodInfo } from '../framework/types';
import { podMatchesAllTerms, termMatches, type NamespaceLabels } from './inter-pod-affinity-terms';

/**
 * How many matching pods each topology domain holds (topologyToMatchedTermCount): topology key →
 * value → count. A domain whose count drops to zero is removed, so `size` (the domains with a
 * count) says whether any pod matched at all.
 */
export class TopologyPairCounts {
  private readonly byKey: Map<string, Map<string, number>>;
  private domains: number;

  constructor(from?: TopologyPairCounts) {
    this.byKey = new Map();
    for (const [key, values] of from?.byKey ?? []) this.byKey.set(key, new Map(values));
    this.domains = from?.domains ?? 0;
  }

  get size(): number {
    return this.domains;
  }

  get(topologyKey: string, value: string): number {
    return this.byKey.get(topologyKey)?.get(value) ?? 0;
  }

  /** Adds `delta` to the node's domain for `topologyKey`; a node without that label is in no domain. */
  update(node: Node, topologyKey: string, delta: number): void {
    const value = node.metadata.labels?.[topologyKey];
    if (value !== undefined) this.add(topologyKey, value, delta);
  }

  /** Adds `delta` to the domain `topologyKey` = `value`. */
  add(topologyKey: string, value: string, delta: number): void {
    let values = this.byKey.get(topologyKey);
    if (!values) {
      values = new Map();
      this.byKey.set(topologyKey, values);
    }
    const before = values.get(value) ?? 0;
    const count = before + delta;
    if (count === 0) values.delete(value);
    else values.set(value, count);
    this.domains += (count !== 0 ? 1 : 0) - (before !== 0 ? 1 : 0);
  }

  /** For each term: if `pod` matches ALL the terms, its node's domain counts once more per term. */
  updateWithAffinityTerms(terms: readonly AffinityTerm[], pod: Pod, node: Node, namespaceLabels: NamespaceLabels, delta: number): void {
    if (!podMatchesAllTerms(terms, pod, namespaceLabels)) return;
    for (const term of terms) this.update(node, term.topologyKey, delta);
  }

  /** For each anti-affinity term `pod` matches, its node's domain counts once more. */
  updateWithAntiAffinityTerms(terms: readonly AffinityTerm[], pod: Pod, node: Node, namespaceLabels: NamespaceLabels, delta: number): void {
    for (const term of terms) if (termMatches(term, pod, namespaceLabels)) this.update(node, term.topologyKey, delta);
  }

  /** Whether the node is in any domain with a count. */
  anyOnNode(node: Node): boolean {
    if (this.domains === 0) return false;
    const labels = node.metadata.labels ?? {};
    for (const [key, values] of this.byKey) {
      const value = labels[key];
      if (value !== undefined && (values.get(value) ?? 0) > 0) return true;
    }
    return false;
  }

  clone(): TopologyPairCounts {
    return new TopologyPairCounts(this);
  }
}

/**
 * What InterPodAffinity's PreFilter computes once per pod, and Filter reads for every node: per
 * topology domain, how many existing pods have required anti-affinity against the incoming pod,
 * and how many existing pods match the incoming pod's required affinity / anti-affinity terms.
 * Preemption clones it and moves victims in and out with `updateWithPod`.
 */
export class InterPodAffinityPreFilterState {
  constructor(
    /** The incoming pod, its terms parsed. */
    readonly podInfo: PodInfo,
    readonly namespaceLabels: NamespaceLabels,
    readonly existingAntiAffinityCounts: TopologyPairCounts,
    readonly affinityCounts: TopologyPairCounts,
    readonly antiAffinityCounts: TopologyPairCounts,
  ) {}

  /** Counts `podInfo` (on `node`) in (delta 1) or out (delta -1), as if it were added or removed. */
  updateWithPod(podInfo: PodInfo, node: Node, delta: number): void {
    const incoming = this.podInfo;
    this.existingAntiAffinityCounts.updateWithAntiAffinityTerms(podInfo.requiredAntiAffinityTerms, incoming.pod, node, this.namespaceLabels, delta);
    this.affinityCounts.updateWithAffinityTerms(incoming.requiredAffinityTerms, podInfo.pod, node, this.namespaceLabels, delta);
    this.antiAffinityCounts.updateWithAntiAffinityTerms(incoming.requiredAntiAffinityTerms, podInfo.pod, node, this.namespaceLabels, delta);
  }

  clone(): InterPodAffinityPreFilterState {
    return new InterPodAffinityPreFilterState(
      this.podInfo,
      this.namespaceLabels,
      this.existingAntiAffinityCounts.clone(),
      this.affinityCounts.clone(),
      this.antiAffinityCounts.clone(),
    );
  }
}
