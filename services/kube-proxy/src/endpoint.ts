/**
 * One endpoint of one Service port as kube-proxy routes to it (its BaseEndpointInfo): the pod's
 * IP and the port resolved from the EndpointSlice, the node it runs on, and its conditions.
 */
export interface Endpoint {
  /** `ip:port`: the identity of an endpoint for round-robin and session affinity. */
  readonly key: string;
  readonly ip: string;
  readonly port: number;
  readonly nodeName: string | undefined;
  /** Ready to receive traffic (conditions.ready; nil means true). */
  readonly ready: boolean;
  /** Serving, even if terminating (conditions.serving; nil means true, as kube-proxy reads it). */
  readonly serving: boolean;
  /** Being deleted (conditions.terminating; nil means false). */
  readonly terminating: boolean;
}

/** The endpoints of a Service port kube-proxy sends traffic to (topology.go's CategorizeEndpoints, without zone hints). */
export interface CategorizedEndpoints {
  /** For ClusterIP traffic (and external traffic with externalTrafficPolicy Cluster). */
  clusterEndpoints: Endpoint[];
  /** This node's share, for external traffic with externalTrafficPolicy Local. */
  localEndpoints: Endpoint[];
}

/**
 * Ready endpoints only; when none is ready, the serving-and-terminating ones, so that a Service
 * whose pods are all shutting down still answers while they drain (kube-proxy does this since
 * Kubernetes 1.28 for every traffic policy). The same rule holds for this node's local share.
 */
export function categorizeEndpoints(endpoints: readonly Endpoint[], nodeName: string): CategorizedEndpoints {
  const usable = (list: readonly Endpoint[]) => {
    const ready = list.filter((e) => e.ready);
    return ready.length ? ready : list.filter((e) => e.serving && e.terminating);
  };
  return {
    clusterEndpoints: usable(endpoints),
    localEndpoints: usable(endpoints.filter((e) => e.nodeName === nodeName)),
  };
}
