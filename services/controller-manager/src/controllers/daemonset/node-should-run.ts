import { doNotScheduleTaint, findMatchingUntoleratedTaint, getRequiredNodeAffinity, nodeTaints } from '@kubelab/component-helpers';
import { daemonPodTolerations } from './daemon-pod';
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
  if (!getRequiredNodeAffinity({ spec }).match(node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(spec);
  const taints = nodeTaints(node);
  if (findMatchingUntoleratedTaint(taints, tolerations, doNotScheduleTaint)) {
    const evicting = findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !evicting };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
