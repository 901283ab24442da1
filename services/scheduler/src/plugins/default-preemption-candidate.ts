import { podPriority } from '../framework/pod-info';
import type { Pod } from '../framework/types';

/** A node where evicting `victims` would let the preemptor fit; victims sorted most important first. */
export interface Candidate {
  name: string;
  victims: Pod[];
}

/** When the pod started running (ms); one that has not started counts as starting now, later than any that has. */
export function podStartTime(pod: Pod): number {
  const startTime = (pod.status as { startTime?: string } | undefined)?.startTime;
  const ms = startTime ? Date.parse(startTime) : NaN;
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** util.MoreImportantPod: higher priority first, then the one running longer. */
export function moreImportantPod(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return podStartTime(a) < podStartTime(b);
}

/** A sort comparator putting the more important pods first. */
export function byImportance(a: Pod, b: Pod): number {
  return moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0;
}

/** The earliest start among the candidate's highest-priority victims (util.GetEarliestPodStartTime). */
function earliestStartTimeOfHighestPriorityVictims(victims: readonly Pod[]): number {
  let maxPriority = podPriority(victims[0]!);
  let earliest = podStartTime(victims[0]!);
  for (const pod of victims) {
    const priority = podPriority(pod);
    if (priority === maxPriority) earliest = Math.min(earliest, podStartTime(pod));
    else if (priority > maxPriority) {
      maxPriority = priority;
      earliest = podStartTime(pod);
    }
  }
  return earliest;
}

/** Priorities are shifted by 2^31 so that a few negative-priority victims never beat fewer of them. */
const PRIORITY_SHIFT = 2 ** 31;

/**
 * Each criterion scores the candidates and keeps those with the highest score; the next one only
 * breaks ties (pickOneNodeForPreemption). No PodDisruptionBudgets are modelled, so the first
 * criterion of Kubernetes (fewest PDB violations) ties everywhere and is left out.
 */
const CRITERIA: ReadonlyArray<(c: Candidate) => number> = [
  // The lowest highest-priority victim.
  (c) => -podPriority(c.victims[0]!),
  // The smallest sum of victim priorities.
  (c) => -c.victims.reduce((sum, pod) => sum + podPriority(pod) + PRIORITY_SHIFT, 0),
  // The fewest victims.
  (c) => -c.victims.length,
  // The latest start among the highest-priority victims: disturb the pods that ran the least.
  (c) => earliestStartTimeOfHighestPriorityVictims(c.victims),
];

/** The candidate to preempt on; on a full tie, the first in the list. */
export function selectCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  let remaining = [...candidates];
  for (const score of CRITERIA) {
    if (remaining.length <= 1) break;
    let best = Number.NEGATIVE_INFINITY;
    let selected: Candidate[] = [];
    for (const c of remaining) {
      const s = score(c);
      if (s > best) {
        best = s;
        selected = [];
      }
      if (s === best) selected.push(c);
    }
    remaining = selected;
  }
  return remaining[0];
}
