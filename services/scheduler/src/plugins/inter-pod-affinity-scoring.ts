import type { AffinityTerm, Node, Pod, PodInfo, WeightedAffinityTerm } from '../framework/types';
import { termMatches, type NamespaceLabels } from './inter-pod-affinity-terms';

/**
 * What InterPodAffinity's PreScore sums up (scoreMap): per topology key, per value, the weights of
 * the preferred terms that pods in that domain satisfy, positive for affinity, negative for
 * anti-affinity. Score adds up the domains a node is in.
 */
export class TopologyScores {
  private readonly byKey = new Map<string, Map<string, number>>();

  get size(): number {
    return this.byKey.size;
  }

  /** If `pod` matches the term, the domain of `node` for the term's topology key gains `weight`. */
  processTerm(term: AffinityTerm, weight: number, pod: Pod, node: Node, namespaceLabels: NamespaceLabels): void {
    const value = node.metadata.labels?.[term.topologyKey];
    if (value === undefined || !termMatches(term, pod, namespaceLabels)) return;
    let values = this.byKey.get(term.topologyKey);
    if (!values) {
      values = new Map();
      this.byKey.set(term.topologyKey, values);
    }
    values.set(value, (values.get(value) ?? 0) + weight);
  }

  processTerms(terms: readonly WeightedAffinityTerm[], pod: Pod, node: Node, namespaceLabels: NamespaceLabels, multiplier: 1 | -1): void {
    for (const term of terms) this.processTerm(term, term.weight * multiplier, pod, node, namespaceLabels);
  }

  /** The node's raw score: the sum over the domains it is in. */
  scoreOf(node: Node): number {
    let score = 0;
    const labels = node.metadata.labels ?? {};
    for (const [key, values] of this.byKey) {
      const value = labels[key];
      if (value !== undefined) score += values.get(value) ?? 0;
    }
    return score;
  }
}

/**
 * One existing pod's contribution (processExistingPod), both ways round: the incoming pod's
 * preferred terms that the existing pod matches, and the existing pod's terms that the incoming
 * pod matches — its required affinity counted at `hardPodAffinityWeight`, so pods that must be
 * near the incoming one draw it towards them.
 */
export function processExistingPod(
  scores: TopologyScores,
  incoming: PodInfo,
  existing: PodInfo,
  existingNode: Node,
  namespaceLabels: NamespaceLabels,
  hardPodAffinityWeight: number,
): void {
  if (!hasLabels(existingNode)) return;
  scores.processTerms(incoming.preferredAffinityTerms, existing.pod, existingNode, namespaceLabels, 1);
  scores.processTerms(incoming.preferredAntiAffinityTerms, existing.pod, existingNode, namespaceLabels, -1);
  if (hardPodAffinityWeight > 0) {
    for (const term of existing.requiredAffinityTerms) scores.processTerm(term, hardPodAffinityWeight, incoming.pod, existingNode, namespaceLabels);
  }
  scores.processTerms(existing.preferredAffinityTerms, incoming.pod, existingNode, namespaceLabels, 1);
  scores.processTerms(existing.preferredAntiAffinityTerms, incoming.pod, existingNode, namespaceLabels, -1);
}

function hasLabels(node: Node): boolean {
  for (const _key in node.metadata.labels) return true;
  return false;
}
