import { metaNamespaceKey, type ClientLogger, type KubeObject } from '@kubelab/client';
import { NodeInfo } from '../framework/node-info';
import { newPodInfo } from '../framework/pod-info';
import type { Node, Pod } from '../framework/types';
import type { ClusterSnapshot } from './snapshot';

interface NodeState {
  info: NodeInfo;
  /** False while only pods name the node (bound before the node was seen, or after it was deleted). */
  hasNode: boolean;
}

/**
 * The scheduler's cache (Kubernetes' backend/cache): every node with the pods bound to it, plus
 * the pods the scheduler has *assumed* — placed on a node in memory the moment it decided, before
 * the binding reached the apiserver — so the next cycle already counts them. The informer's
 * confirmation (the pod seen with spec.nodeName) turns an assumed pod into a bound one; a failed
 * binding forgets it. As in Kubernetes since 1.23 (durationToExpireAssumedPod = 0), an assumed
 * pod does not expire on a timer: the binding's outcome always arrives.
 */
export class SchedulerCache {
  private readonly nodes = new Map<string, NodeState>();
  /** Pod uid → the pod as the cache counts it (assumed or bound). */
  private readonly podStates = new Map<string, Pod>();
  private readonly assumedPods = new Set<string>();
  /** Nodes changed since the last snapshot. */
  private readonly dirty = new Set<string>();
  private namespaces = new Map<string, Record<string, string>>();

  constructor(private readonly log: ClientLogger) {}

  /** Counts `pod` (its spec.nodeName set to the chosen node) on its node before it is bound. */
  assumePod(pod: Pod): void {
    const uid = pod.metadata.uid!;
    if (this.podStates.has(uid)) throw new Error(`pod ${metaNamespaceKey(pod)} (${uid}) is in the cache, so can't be assumed`);
    this.addPodToNode(pod);
    this.assumedPods.add(uid);
  }

  /** The binding failed: the assumed pod leaves its node. */
  forgetPod(pod: Pod): void {
    const uid = pod.metadata.uid!;
    if (!this.assumedPods.has(uid)) throw new Error(`pod ${metaNamespaceKey(pod)} (${uid}) wasn't assumed so cannot be forgotten`);
    this.removePodFromNode(this.podStates.get(uid)!);
    this.assumedPods.delete(uid);
  }

  isAssumedPod(pod: Pod): boolean {
    return this.assumedPods.has(pod.metadata.uid!);
  }

  /** An assigned pod seen by the informer: confirms an assumed pod, or adds one bound elsewhere. */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const current = this.podStates.get(uid);
    if (current && this.assumedPods.has(uid)) {
      this.assumedPods.delete(uid);
      if (current.spec?.nodeName !== pod.spec?.nodeName) {
        this.log.info({ pod: metaNamespaceKey(pod), assumedNode: current.spec?.nodeName, node: pod.spec?.nodeName }, 'pod was added to a different node than it was assumed');
        this.removePodFromNode(current);
        this.addPodToNode(pod);
      }
      return;
    }
    if (current) {
      this.log.debug({ pod: metaNamespaceKey(pod) }, 'pod already in the cache');
      return this.updatePod(current, pod);
    }
    this.addPodToNode(pod);
  }

  updatePod(oldPod: Pod, newPod: Pod): void {
    const uid = oldPod.metadata.uid!;
    const current = this.podStates.get(uid);
    if (!current || this.assumedPods.has(uid)) {
      this.log.warn({ pod: metaNamespaceKey(newPod) }, current ? 'assumed pod updated before its binding was confirmed' : 'updated pod is not in the cache');
      if (!current) this.addPodToNode(newPod);
      return;
    }
    this.removePodFromNode(current);
    this.addPodToNode(newPod);
  }

  removePod(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const current = this.podStates.get(uid);
    if (!current) return;
    this.removePodFromNode(current);
    this.assumedPods.delete(uid);
  }

  addNode(node: Node): NodeInfo {
    const name = node.metadata.name!;
    let state = this.nodes.get(name);
    if (!state) this.nodes.set(name, (state = { info: new NodeInfo(node), hasNode: true }));
    else {
      state.info.setNode(node);
      state.hasNode = true;
    }
    this.dirty.add(name);
    return state.info;
  }

  updateNode(_oldNode: Node, newNode: Node): NodeInfo {
    return this.addNode(newNode);
  }

  /** The node is gone; its NodeInfo stays while pods still name it (their deletion follows). */
  removeNode(node: Node): void {
    const name = node.metadata.name!;
    const state = this.nodes.get(name);
    if (!state) return;
    if (state.info.pods.length) state.hasNode = false;
    else this.nodes.delete(name);
    this.dirty.add(name);
  }

  setNamespace(namespace: KubeObject): void {
    this.namespaces = new Map(this.namespaces).set(namespace.metadata.name!, namespace.metadata.labels ?? {});
  }

  removeNamespace(namespace: KubeObject): void {
    this.namespaces = new Map(this.namespaces);
    this.namespaces.delete(namespace.metadata.name!);
  }

  nodeCount(): number {
    let n = 0;
    for (const state of this.nodes.values()) if (state.hasNode) n++;
    return n;
  }

  podCount(): number {
    return this.podStates.size;
  }

  /**
   * Brings `snapshot` up to date (Cache.UpdateSnapshot): copies the nodes that changed since the
   * last call, drops the deleted ones, and rebuilds the lists only when their membership moved.
   */
  updateSnapshot(snapshot: ClusterSnapshot): void {
    let rebuildList = false;
    let rebuildAffinity = false;
    for (const name of this.dirty) {
      const state = this.nodes.get(name);
      if (!state?.hasNode) {
        if (snapshot.deleteNodeInfo(name)) rebuildList = true;
        continue;
      }
      const copy = state.info.clone();
      const old = snapshot.setNodeInfo(copy);
      if (!old) {
        rebuildList = true;
        continue;
      }
      snapshot.nodeInfoList[snapshot.nodeIndex.get(name)!] = copy;
      // A node that stays in podsWithAffinityList has its copy replaced there; one that joins or leaves it rebuilds it.
      const hadAffinity = old.podsWithAffinity.length > 0;
      if (hadAffinity !== copy.podsWithAffinity.length > 0) rebuildAffinity = true;
      else if (hadAffinity && !rebuildAffinity) {
        const at = snapshot.podsWithAffinityList.indexOf(old);
        if (at < 0) rebuildAffinity = true;
        else snapshot.podsWithAffinityList[at] = copy;
      }
    }
    this.dirty.clear();
    if (rebuildList) {
      snapshot.nodeInfoList = [];
      snapshot.nodeIndex.clear();
      for (const [name, state] of this.nodes) {
        if (!state.hasNode) continue;
        snapshot.nodeIndex.set(name, snapshot.nodeInfoList.length);
        snapshot.nodeInfoList.push(snapshot.nodeInfoMap.get(name)!);
      }
    }
    if (rebuildList || rebuildAffinity) snapshot.podsWithAffinityList = snapshot.nodeInfoList.filter((n) => n.podsWithAffinity.length > 0);
    snapshot.namespaces = this.namespaces;
  }

  private addPodToNode(pod: Pod): void {
    const name = pod.spec!.nodeName as string;
    let state = this.nodes.get(name);
    if (!state) this.nodes.set(name, (state = { info: new NodeInfo({ metadata: { name } }), hasNode: false }));
    state.info.addPod(newPodInfo(pod));
    this.podStates.set(pod.metadata.uid!, pod);
    this.dirty.add(name);
  }

  private removePodFromNode(pod: Pod): void {
    const name = pod.spec!.nodeName as string;
    const state = this.nodes.get(name);
    this.podStates.delete(pod.metadata.uid!);
    if (!state) return;
    state.info.removePod(pod);
    this.dirty.add(name);
    if (!state.hasNode && !state.info.pods.length) this.nodes.delete(name);
  }
}
