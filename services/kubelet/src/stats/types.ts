/**
 * The samples a kubelet publishes on NATS every housekeeping interval, for metrics-server
 * (subject `kubelab.stats.<node>`, JSON). The same figures the kubelet's Summary API gives.
 */
export const STATS_SUBJECT = (node: string) => `kubelab.stats.${node}`;

export interface NodeStatsSample {
  node: string;
  /** RFC 3339 time of the sample, and the window it covers, seconds. */
  timestamp: string;
  window: number;
  /** The node as a whole: sum of its containers plus the kubelet's own process. */
  cpu: { usageNanoCores: number; usageCoreNanoSeconds: number };
  memory: { workingSetBytes: number };
  pods: PodStatsSample[];
}

export interface PodStatsSample {
  namespace: string;
  name: string;
  uid: string;
  containers: Array<{ name: string; cpu: { usageNanoCores: number; usageCoreNanoSeconds: number }; memory: { workingSetBytes: number } }>;
}
