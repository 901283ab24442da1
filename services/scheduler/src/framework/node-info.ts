import type { Node, PodInfo } from './types';

/** CPU in millicores, memory and ephemeral storage in bytes, pods as a count. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources ("example.com/gpu") by name. */
  scalar: Map<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

/** A host port in use: protocol/hostIP/port ("TCP/0.0.0.0/8080"). */
export type HostPortKey = string;

/**
 * A node and what is on it (framework.NodeInfo): the pods bound or assumed to it, the sum of
 * their requests, the host ports they hold. The scheduler's cache keeps one per node and updates
 * it as pods come and go; a cycle works on a snapshot (clone) of them.
 */
export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  readonly pods: PodInfo[];
  /** Pods with any (anti-)affinity term; and those with required anti-affinity. */
  readonly podsWithAffinity: PodInfo[];
  readonly podsWithRequiredAntiAffinity: PodInfo[];
  /** The sum of the pods' requests (init containers and overhead counted as Kubernetes counts them). */
  readonly requested: Resource;
  /** As `requested`, but a container without requests counts 100m CPU and 200Mi (for scoring: NonZeroRequested). */
  readonly nonZeroRequested: Resource;
  readonly allocatable: Resource;
  readonly usedPorts: Set<HostPortKey>;
  /** Bumped on every change: the snapshot copies only nodes that moved. */
  readonly generation: number;
  addPod(podInfo: PodInfo): void;
  /** False when the pod was not on the node. */
  removePod(pod: Node): boolean;
  clone(): NodeInfo;
}
