import type { NodeToStatus, Pod } from './types';

/** Why no node was found for a pod (framework.Diagnosis). */
export interface Diagnosis {
  /** Every node of the cycle with the status that rejected it. */
  nodeToStatus: NodeToStatus;
  /** The plugins that rejected the pod somewhere: only cluster events they care about retry it. */
  unschedulablePlugins: Set<string>;
  /** A PreFilter plugin's rejection: then it alone is the message (every node has that status). */
  preFilterMsg: string;
  /** What PostFilter (preemption) said, appended to the message. */
  postFilterMsg: string;
}

/**
 * The pod fits on no node (framework.FitError). Its message is FailedScheduling's, word for word
 * as Kubernetes writes it: "0/3 nodes are available: 1 node(s) had untolerated taint
 * {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules.
 * preemption: 0/3 nodes are available: ..." — each reason counted over the nodes, the
 * "<count> <reason>" strings sorted as Go's sort.Strings sorts them (byte order, so "10 ..."
 * comes before "2 ..."), the preemption tail last.
 */
export class FitError {
  constructor(
    readonly pod: Pod,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {}

  message(): string {
    let message = `0/${this.numAllNodes} nodes are available:`;
    const { preFilterMsg, postFilterMsg, nodeToStatus } = this.diagnosis;
    if (preFilterMsg) {
      message += ` ${preFilterMsg}.`;
    } else {
      const counts = new Map<string, number>();
      for (const status of nodeToStatus.values()) for (const reason of status.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
      const histogram = [...counts].map(([reason, count]) => `${count} ${reason}`).sort(byteOrder);
      if (histogram.length) message += ` ${histogram.join(', ')}.`;
    }
    // The preemption tail is a sentence of its own: it brings its period (no "..", as in the wording).
    if (postFilterMsg) message += ` ${postFilterMsg}${postFilterMsg.endsWith('.') ? '' : '.'}`;
    return message;
  }
}

/** sort.Strings: byte-wise, not locale-aware. */
function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}
