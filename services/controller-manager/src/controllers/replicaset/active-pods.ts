import type { KubeObject } from '@kubelab/client';
import { isPodActive, isPodReady, podCondition } from '../../controller/pod-util';

/** Lets a user say which pods of a ReplicaSet go first on scale-down (lower cost first). */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/** A pod with its rank: how many active pods of the same owner share its node. */
export interface RankedPod {
  pod: KubeObject;
  rank: number;
}

/** A phase Kubernetes does not list here (none, Succeeded...) counts as Pending, as a missing map key does in Go. */
const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * ActivePodsWithRanks.Less: whether `a` should be deleted before `b`. Rules in turn until one
 * decides: unassigned before assigned; Pending before Unknown before Running; not ready before
 * ready; lower pod-deletion-cost first; higher rank (more pods doubled up on its node) first;
 * ready for less time first; more container restarts first; newer first. Times are compared on
 * a log2 scale of their age (LogarithmicScaleDown, on by default), equal buckets ordered by UID,
 * so pods of about the same age are picked pseudo-randomly rather than always the newest.
 */
export function deletesBefore(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const [p, q] = [a.pod, b.pod];
  const [nodeP, nodeQ] = [nodeName(p), nodeName(q)];
  if (nodeP !== nodeQ && (!nodeP || !nodeQ)) return !nodeP;
  const [phaseP, phaseQ] = [PHASE_ORDINAL[String(p.status?.phase)] ?? 0, PHASE_ORDINAL[String(q.status?.phase)] ?? 0];
  if (phaseP !== phaseQ) return phaseP < phaseQ;
  const [readyP, readyQ] = [isPodReady(p), isPodReady(q)];
  if (readyP !== readyQ) return !readyP;
  const [costP, costQ] = [deletionCost(p), deletionCost(q)];
  if (costP !== costQ) return costP < costQ;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (readyP && readyQ) {
    const [t1, t2] = [readyTime(p), readyTime(q)];
    if (t1 !== t2) return newerFirst(p, q, t1, t2, nowMs);
  }
  const [restartsP, restartsQ] = [maxContainerRestarts(p), maxContainerRestarts(q)];
  if (restartsP !== restartsQ) return restartsP > restartsQ;
  const [c1, c2] = [time(p.metadata.creationTimestamp), time(q.metadata.creationTimestamp)];
  if (c1 !== c2) return newerFirst(p, q, c1, c2, nowMs);
  return false;
}

/**
 * The `diff` pods to delete out of `pods` (getPodsToDelete): ranked by the active pods of the
 * same owner on their node (`relatedPods`: the pods of every ReplicaSet of the same Deployment),
 * then sorted by deletesBefore.
 */
export function podsToDelete(pods: KubeObject[], relatedPods: KubeObject[], diff: number, nowMs: number): KubeObject[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const pod of relatedPods) if (isPodActive(pod)) onNode.set(nodeName(pod), (onNode.get(nodeName(pod)) ?? 0) + 1);
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(nodeName(pod)) ?? 0 }));
  ranked.sort((a, b) => (deletesBefore(a, b, nowMs) ? -1 : deletesBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}

/** helper.GetDeletionCostFromPodAnnotations: an int32 without "+" or leading zeros; anything else is 0. */
export function deletionCost(pod: KubeObject): number {
  const value = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (value === undefined || !/^(-\d+|0|[1-9]\d*)$/.test(value)) return 0;
  const n = Number(value);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/** With one of the two times unknown (0) that one goes first; else the more recent, on the log scale. */
function newerFirst(p: KubeObject, q: KubeObject, t1: number, t2: number, nowMs: number): boolean {
  if (!t1 || !t2) return !t1;
  const diff = logarithmicRank(nowMs - t1) - logarithmicRank(nowMs - t2);
  if (diff === 0) return String(p.metadata.uid ?? '') < String(q.metadata.uid ?? '');
  return diff < 0;
}

/** floor(log2(age in nanoseconds)), -1 for an age of zero or less (logarithmicRankDiff). */
function logarithmicRank(ageMs: number): number {
  return ageMs > 0 ? Math.floor(Math.log2(ageMs * 1e6)) : -1;
}

function readyTime(pod: KubeObject): number {
  return time(podCondition(pod, 'Ready')?.lastTransitionTime);
}

function maxContainerRestarts(pod: KubeObject): number {
  const statuses = (pod.status?.containerStatuses as Array<{ restartCount?: number }> | undefined) ?? [];
  return statuses.reduce((max, s) => Math.max(max, s.restartCount ?? 0), 0);
}

function nodeName(pod: KubeObject): string {
  return String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '');
}

/** Milliseconds since the epoch; 0 for no time (Go's zero time). */
function time(value: string | undefined): number {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}
