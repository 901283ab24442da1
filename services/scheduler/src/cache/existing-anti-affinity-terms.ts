import type { NodeInfo } from '../framework/node-info';
import type { CountedAntiAffinityTerm } from '../framework/types';

interface Entry extends CountedAntiAffinityTerm {
  readonly counts: Map<string, number>;
  /** Pods holding the term, on nodes without the topology key too: the entry goes when none is left. */
  pods: number;
}

/**
 * The existing pods' required anti-affinity terms, each distinct term once with its pod count per
 * topology domain. Every cycle InterPodAffinity's PreFilter asks which existing pods' terms match
 * the incoming pod; the replicas of a Deployment all carry the same term, so matching each
 * distinct term once (300 terms for 3,000 pods in groups of 10) gives the same counts as matching
 * every pod. The snapshot keeps it as nodes change, removing a node's old copy and adding the new.
 */
export class ExistingAntiAffinityTerms {
  /** AffinityTerm.key → entry. */
  private readonly byKey = new Map<string, Entry>();

  addNode(nodeInfo: NodeInfo): void {
    this.update(nodeInfo, 1);
  }

  removeNode(nodeInfo: NodeInfo): void {
    this.update(nodeInfo, -1);
  }

  terms(): IterableIterator<CountedAntiAffinityTerm> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  private update(nodeInfo: NodeInfo, delta: 1 | -1): void {
    if (nodeInfo.podsWithRequiredAntiAffinity.length === 0) return;
    const labels = nodeInfo.node.metadata.labels;
    for (const podInfo of nodeInfo.podsWithRequiredAntiAffinity) {
      for (const term of podInfo.requiredAntiAffinityTerms) {
        let entry = this.byKey.get(term.key);
        if (!entry) this.byKey.set(term.key, (entry = { term, counts: new Map(), pods: 0 }));
        entry.pods += delta;
        const value = labels?.[term.topologyKey];
        if (value !== undefined) {
          const count = (entry.counts.get(value) ?? 0) + delta;
          if (count === 0) entry.counts.delete(value);
          else entry.counts.set(value, count);
        }
        if (entry.pods === 0) this.byKey.delete(term.key);
      }
    }
  }
}
