import type { LabelSelector } from '@kubelab/apimachinery';
import type { NodeInfo } from '../framework/node-info';
import { hasScoringAffinityTerms } from '../framework/pod-info';
import type { CountedAntiAffinityTerm, PodInfo, Snapshot } from '../framework/types';
import { ExistingAntiAffinityTerms } from './existing-anti-affinity-terms';
import { PodLabelIndex } from './pod-label-index';

/**
 * What one scheduling cycle sees (cache.Snapshot): copies of the cache's NodeInfos, refreshed by
 * SchedulerCache.updateSnapshot at the start of each cycle. Only the nodes that changed since
 * the last refresh are copied again, so a cycle on 1,000 nodes does not copy 1,000 nodes.
 */
export class ClusterSnapshot implements Snapshot {
  /** Node name → its copy. */
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  /** Node name → index in nodeInfoList, so a changed copy replaces the old one in place. */
  readonly nodeIndex = new Map<string, number>();
  nodeInfoList: NodeInfo[] = [];
  podsWithAffinityList: NodeInfo[] = [];
  /** The required anti-affinity terms of the pods in nodeInfoMap; kept by setNodeInfo / deleteNodeInfo. */
  private readonly antiAffinityTerms = new ExistingAntiAffinityTerms();
  /** The pods in nodeInfoMap by label; kept by setNodeInfo / deleteNodeInfo. */
  private readonly podLabels = new PodLabelIndex();
  /** Pods in nodeInfoMap with terms that score other pods; kept by setNodeInfo / deleteNodeInfo. */
  private podsWithScoringAffinity = 0;
  /** Namespace → labels (the cache's map, replaced, never changed, when a namespace changes). */
  namespaces: ReadonlyMap<string, Record<string, string>> = new Map();

  nodeInfos(): NodeInfo[] {
    return this.nodeInfoList;
  }

  get(nodeName: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(nodeName);
  }

  havePodsWithAffinity(): NodeInfo[] {
    return this.podsWithAffinityList;
  }

  numPodsWithScoringAffinity(): number {
    return this.podsWithScoringAffinity;
  }

  existingAntiAffinityTerms(): Iterable<CountedAntiAffinityTerm> {
    return this.antiAffinityTerms.terms();
  }

  forEachCandidatePod(selector: LabelSelector, visit: (podInfo: PodInfo, nodeInfo: NodeInfo) => void): void {
    this.podLabels.forEachCandidate(selector, this.nodeInfoList, visit);
  }

  namespaceLabels(namespace: string): Record<string, string> {
    return this.namespaces.get(namespace) ?? {};
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }

  /** Puts the node's copy in nodeInfoMap in place of the old one (the lists are the caller's); returns the old one. */
  setNodeInfo(copy: NodeInfo): NodeInfo | undefined {
    const old = this.deleteNodeInfo(copy.name);
    this.nodeInfoMap.set(copy.name, copy);
    this.antiAffinityTerms.addNode(copy);
    this.podLabels.addNode(copy);
    this.podsWithScoringAffinity += countPodsWithScoringAffinity(copy);
    return old;
  }

  /** Takes the node out of nodeInfoMap (the lists are the caller's); returns its copy. */
  deleteNodeInfo(name: string): NodeInfo | undefined {
    const old = this.nodeInfoMap.get(name);
    if (!old) return undefined;
    this.nodeInfoMap.delete(name);
    this.antiAffinityTerms.removeNode(old);
    this.podLabels.removeNode(old);
    this.podsWithScoringAffinity -= countPodsWithScoringAffinity(old);
    return old;
  }
}

export function countPodsWithScoringAffinity(nodeInfo: NodeInfo): number {
  let count = 0;
  for (const podInfo of nodeInfo.podsWithAffinity) if (hasScoringAffinityTerms(podInfo)) count++;
  return count;
}
