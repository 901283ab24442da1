import type { Pod, PodInfo } from '../framework/types';

/** How a scheduling attempt changes a pod's nomination (framework.NominatingInfo). */
export interface NominatingInfo {
  /** Override: set to nominatedNodeName ('' clears); Noop: keep status.nominatedNodeName. */
  mode: 'Override' | 'Noop';
  nominatedNodeName: string;
}

const NONE: readonly PodInfo[] = Object.freeze([]);

function nominatedNodeName(pod: Pod): string {
  return (pod.status?.nominatedNodeName as string | undefined) ?? '';
}

/**
 * Pods nominated to nodes by preemption and not yet bound (the queue's nominator): the room
 * their victims freed is theirs, so other pods' Filter counts them there.
 */
export class Nominator {
  private readonly nominatedPods = new Map<string, PodInfo[]>();
  /** Pod uid → the node it is nominated to. */
  private readonly nominatedPodToNode = new Map<string, string>();

  /** `podLister` answers the pod as the informer has it: a pod deleted or bound meanwhile is not nominated. */
  constructor(private readonly podLister?: (namespace: string, name: string) => Pod | undefined) {}

  addNominatedPod(podInfo: PodInfo, nominatingInfo?: NominatingInfo): void {
    // Never more than one entry per pod.
    this.deleteNominatedPodIfExists(podInfo.pod);
    const nodeName = nominatingInfo?.mode === 'Override' ? nominatingInfo.nominatedNodeName : nominatedNodeName(podInfo.pod);
    if (!nodeName) return;
    if (this.podLister) {
      const current = this.podLister(podInfo.pod.metadata.namespace ?? '', podInfo.pod.metadata.name!);
      if (!current || current.spec?.nodeName) return;
    }
    this.nominatedPodToNode.set(podInfo.pod.metadata.uid!, nodeName);
    const list = this.nominatedPods.get(nodeName) ?? [];
    list.push(podInfo);
    this.nominatedPods.set(nodeName, list);
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const nodeName = this.nominatedPodToNode.get(uid);
    if (nodeName === undefined) return;
    this.nominatedPodToNode.delete(uid);
    const list = (this.nominatedPods.get(nodeName) ?? []).filter((p) => p.pod.metadata.uid !== uid);
    if (list.length) this.nominatedPods.set(nodeName, list);
    else this.nominatedPods.delete(nodeName);
  }

  /**
   * A pod changed. An update that says nothing of a nomination keeps the one the scheduler made
   * in memory (the status patch that records it may not have arrived yet).
   */
  updateNominatedPod(oldPod: Pod, newPodInfo: PodInfo): void {
    let nominatingInfo: NominatingInfo | undefined;
    if (!nominatedNodeName(oldPod) && !nominatedNodeName(newPodInfo.pod)) {
      const kept = this.nominatedPodToNode.get(oldPod.metadata.uid!);
      if (kept) nominatingInfo = { mode: 'Override', nominatedNodeName: kept };
    }
    this.deleteNominatedPodIfExists(oldPod);
    this.addNominatedPod(newPodInfo, nominatingInfo);
  }

  /** A copy of the node's nominated pods; the one shared empty list when there are none (the common case, asked for every node Filter runs on). */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    const list = this.nominatedPods.size ? this.nominatedPods.get(nodeName) : undefined;
    return list ? [...list] : NONE;
  }
}
