import type { LabelSelector } from '@kubelab/apimachinery';
import type { NodeInfo } from '../framework/node-info';
import type { PodInfo } from '../framework/types';

type PodsOnNodes = Map<PodInfo, NodeInfo>;

/**
 * The snapshot's pods by label: key → value → the pods with that label, each with its node.
 * Every cycle InterPodAffinity and PodTopologySpread count the pods that the incoming pod's
 * selectors match; a selector that requires a label value (`matchLabels: {app: web}`) can only
 * match the pods that carry it, so they look at those instead of every pod in the cluster. The
 * snapshot keeps it as nodes change, removing a node's old copy and adding the new.
 */
export class PodLabelIndex {
  private readonly byKey = new Map<string, Map<string, PodsOnNodes>>();

  addNode(nodeInfo: NodeInfo): void {
    for (const podInfo of nodeInfo.pods) {
      const labels = podInfo.pod.metadata.labels;
      for (const key in labels) {
        if (!Object.hasOwn(labels, key)) continue;
        let values = this.byKey.get(key);
        if (!values) this.byKey.set(key, (values = new Map()));
        let pods = values.get(labels[key]!);
        if (!pods) values.set(labels[key]!, (pods = new Map()));
        pods.set(podInfo, nodeInfo);
      }
    }
  }

  removeNode(nodeInfo: NodeInfo): void {
    for (const podInfo of nodeInfo.pods) {
      const labels = podInfo.pod.metadata.labels;
      for (const key in labels) {
        if (!Object.hasOwn(labels, key)) continue;
        const values = this.byKey.get(key);
        const pods = values?.get(labels[key]!);
        if (!pods?.delete(podInfo) || pods.size > 0) continue;
        values!.delete(labels[key]!);
        if (values!.size === 0) this.byKey.delete(key);
      }
    }
  }

  /**
   * Calls `visit` for each pod `selector` may match, with its node: the candidates, or every pod
   * on `nodeInfos` (the nodes indexed) when the selector requires no label value.
   */
  forEachCandidate(selector: LabelSelector, nodeInfos: readonly NodeInfo[], visit: (podInfo: PodInfo, nodeInfo: NodeInfo) => void): void {
    const found = this.candidates(selector);
    if (!found) {
      for (const nodeInfo of nodeInfos) for (const podInfo of nodeInfo.pods) visit(podInfo, nodeInfo);
      return;
    }
    for (const pods of found) for (const [podInfo, nodeInfo] of pods) visit(podInfo, nodeInfo);
  }

  /**
   * The pods that carry the value (one of the values) the selector's narrowest `=` / `in`
   * requirement asks for: all the pods it may match, and usually few. Undefined when it has no
   * such requirement (any pod may match); none for a selector that matches nothing.
   */
  candidates(selector: LabelSelector): ReadonlyMap<PodInfo, NodeInfo>[] | undefined {
    if (selector.isNothing()) return [];
    let narrowest: PodsOnNodes[] | undefined;
    let narrowestSize = Infinity;
    for (const r of selector.requirements) {
      if (r.operator !== '=' && r.operator !== '==' && r.operator !== 'in') continue;
      const values = this.byKey.get(r.key);
      const found: PodsOnNodes[] = [];
      let size = 0;
      // `in (a, a)` must not count its pods twice.
      for (const value of r.values.length === 1 ? r.values : new Set(r.values)) {
        const pods = values?.get(value);
        if (!pods) continue;
        found.push(pods);
        size += pods.size;
      }
      if (size < narrowestSize) {
        narrowest = found;
        narrowestSize = size;
      }
    }
    return narrowest;
  }
}
