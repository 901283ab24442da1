import { daemonPodTolerations } from './daemon-pod';
import { requiredNodeAffinityMatches } from './node-affinity';
import { toleratesTaint, type Taint, type Toleration } from '../../controller/taints';
import type { DaemonSet, Node } from './types';

export interface NodeVerdict {
  /** A daemon pod should be created here if there is none. */
  shouldRun: boolean;
  /** A daemon pod already here may stay (it tolerates the node's NoExecute taints). */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod: whether the DaemonSet's pod belongs on `node`. The pod is the template
 * with the daemon tolerations added: the template's nodeName (if any) must be this node, its
 * nodeSelector and required node affinity must match, and it must tolerate the node's NoSchedule
 * and NoExecute taints. A pod that tolerates the NoExecute taints but not a NoSchedule one is
 * not placed, but one that is there may stay.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const spec = ds.spec.template?.spec;
  const nodeName = node.metadata.name ?? '';
  if (spec?.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinityMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(spec);
  const taints = node.spec?.taints;
  if (findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    const evicting = findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !evicting };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The first taint that passes `filter` and no toleration tolerates (v1helper.FindMatchingUntoleratedTaint). */
function findMatchingUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[], filter: (taint: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !tolerations.some((t) => toleratesTaint(t, taint)));
}
