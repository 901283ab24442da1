import type { NodeInfo } from '../framework/node-info';
import type { Snapshot } from '../framework/types';

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
  podsWithRequiredAntiAffinityList: NodeInfo[] = [];
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

  havePodsWithRequiredAntiAffinity(): NodeInfo[] {
    return this.podsWithRequiredAntiAffinityList;
  }

  namespaceLabels(namespace: string): Record<string, string> {
    return this.namespaces.get(namespace) ?? {};
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }
}
