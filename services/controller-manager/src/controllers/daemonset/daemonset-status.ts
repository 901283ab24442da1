import { isPodAvailable, isPodReady } from '../../controller/pod-util';
import { isPodUpdated } from './daemon-pod';
import { byCreationTimestampAndPhase } from './pods-on-node';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from './types';

export type DaemonSetCounts = Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

/**
 * The counts of a DaemonSet's status (updateDaemonSetStatus), node by node: a node that should
 * run the pod is desired, and current if it has one; its oldest pod decides ready, available and
 * up to date. A pod on a node that should not run it is misscheduled.
 */
export function calculateDaemonSetStatus(args: { ds: DaemonSet; nodes: readonly Node[]; nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>; hash: string; now: number; shouldRun(node: Node): boolean }): DaemonSetCounts {
  const { ds, nodes, nodeToDaemonPods, hash, now } = args;
  const counts: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const pods = nodeToDaemonPods.get(node.metadata.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!args.shouldRun(node)) {
      if (scheduled) counts.numberMisscheduled++;
      continue;
    }
    counts.desiredNumberScheduled++;
    if (!scheduled) continue;
    counts.currentNumberScheduled++;
    const pod = [...pods].sort(byCreationTimestampAndPhase)[0]!;
    if (isPodReady(pod)) {
      counts.numberReady++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) counts.numberAvailable++;
    }
    if (isPodUpdated(pod, hash)) counts.updatedNumberScheduled++;
  }
  counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  return counts;
}

/** Whether the stored status already says all this (storeDaemonSetStatus writes nothing then). */
export function statusUpToDate(ds: DaemonSet, counts: DaemonSetCounts): boolean {
  const status = ds.status ?? {};
  return (Object.keys(counts) as Array<keyof DaemonSetCounts>).every((k) => (status[k] ?? 0) === counts[k]) && (status.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0);
}
