import { hasScoringAffinityTerms, newPodInfo } from './pod-info';
import { add, cloneResource, emptyResource, podRequests, resourceFromList, subtract, type Resource } from './resource';
import type { Node, Pod, PodInfo } from './types';

/** A host port in use: protocol/hostIP/port ("TCP/0.0.0.0/8080"). */
export type HostPortKey = string;

interface ContainerPort {
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

/** The host ports a pod holds ("TCP/0.0.0.0/8080"). */
export function hostPortsOf(pod: Pod): HostPortKey[] {
  const keys: HostPortKey[] = [];
  for (const c of ((pod.spec?.containers ?? []) as Array<{ ports?: ContainerPort[] }>)) {
    for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) keys.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
  }
  return keys;
}

/**
 * A node and what is on it (framework.NodeInfo): the pods bound or assumed to it, the sum of
 * their requests, the host ports they hold. The scheduler's cache keeps one per node and updates
 * it as pods come and go; a cycle works on a snapshot (clone) of them.
 */
export class NodeInfo {
  readonly pods: PodInfo[] = [];
  readonly podsWithAffinity: PodInfo[] = [];
  readonly podsWithRequiredAntiAffinity: PodInfo[] = [];
  readonly requested = emptyResource();
  readonly nonZeroRequested = emptyResource();
  readonly allocatable: Resource;
  readonly usedPorts = new Set<HostPortKey>();
  /** Bumped on every change: the snapshot copies only nodes that moved. */
  generation = 0;

  constructor(
    readonly node: Node,
    pods: Array<Pod | PodInfo> = [],
  ) {
    this.allocatable = allocatableOf(node);
    for (const p of pods) this.addPod('requiredAffinityTerms' in p ? (p as PodInfo) : newPodInfo(p as Pod));
  }

  get name(): string {
    return this.node.metadata.name!;
  }

  /** The node object changed (labels, taints, allocatable): the pods stay, the node is the new one. */
  setNode(node: Node): void {
    (this as { node: Node }).node = node;
    (this as { allocatable: Resource }).allocatable = allocatableOf(node);
    this.generation++;
  }

  addPod(podInfo: PodInfo): void {
    this.pods.push(podInfo);
    if (hasScoringAffinityTerms(podInfo) || podInfo.requiredAntiAffinityTerms.length) this.podsWithAffinity.push(podInfo);
    if (podInfo.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.push(podInfo);
    add(this.requested, podRequests(podInfo.pod));
    add(this.nonZeroRequested, podRequests(podInfo.pod, true));
    for (const key of hostPortsOf(podInfo.pod)) this.usedPorts.add(key);
    this.generation++;
  }

  removePod(pod: Pod): boolean {
    const uid = pod.metadata.uid;
    const at = this.pods.findIndex((p) => p.pod.metadata.uid === uid);
    if (at < 0) return false;
    const [removed] = this.pods.splice(at, 1);
    for (const list of [this.podsWithAffinity, this.podsWithRequiredAntiAffinity]) {
      const i = list.indexOf(removed!);
      if (i >= 0) list.splice(i, 1);
    }
    subtract(this.requested, podRequests(removed!.pod));
    subtract(this.nonZeroRequested, podRequests(removed!.pod, true));
    const ports = hostPortsOf(removed!.pod);
    if (ports.length) {
      for (const key of ports) this.usedPorts.delete(key);
      // Another pod may hold the same port (it was a conflict, but count what is there).
      for (const p of this.pods) for (const key of hostPortsOf(p.pod)) this.usedPorts.add(key);
    }
    this.generation++;
    return true;
  }

  clone(): NodeInfo {
    const copy = Object.create(NodeInfo.prototype) as NodeInfo;
    Object.assign(copy, {
      node: this.node,
      pods: [...this.pods],
      podsWithAffinity: [...this.podsWithAffinity],
      podsWithRequiredAntiAffinity: [...this.podsWithRequiredAntiAffinity],
      requested: cloneResource(this.requested),
      nonZeroRequested: cloneResource(this.nonZeroRequested),
      allocatable: cloneResource(this.allocatable),
      usedPorts: new Set(this.usedPorts),
      generation: this.generation,
    });
    return copy;
  }
}

/** What the node offers pods: status.allocatable, or its capacity when it reports no allocatable. */
function allocatableOf(node: Node): Resource {
  const status = (node.status ?? {}) as { allocatable?: Record<string, string>; capacity?: Record<string, string> };
  return resourceFromList(status.allocatable ?? status.capacity);
}
