import { CLUSTER_IP_NONE, DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS, type V1Service } from './api';

/**
 * proxy.ServicePortName: one port of one Service, `namespace/name:port` (`namespace/name` for an
 * unnamed port). Everything kube-proxy keeps is filed under it; port names are unique within a
 * Service, so the protocol needs no place in the key.
 */
export interface ServicePortName {
  namespace: string;
  name: string;
  /** The Service port's name ('' when the Service has a single unnamed port). */
  port: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** `namespace/name:port`, as ServicePortName.String() prints it (in logs and metrics). */
export function servicePortNameString(name: ServicePortName): string {
  return `${name.namespace}/${name.name}${name.port ? `:${name.port}` : ''}`;
}

/**
 * What kube-proxy keeps of one Service port (its BaseServicePortInfo): the virtual addresses
 * traffic arrives on and the rules that pick an endpoint for it.
 */
export interface ServicePort {
  readonly name: ServicePortName;
  /** servicePortNameString(name): the key of maps and of the round-robin state. */
  readonly key: string;
  /** The ClusterIP, absent for a headless Service (clusterIP None). */
  readonly clusterIP: string | undefined;
  readonly port: number;
  readonly protocol: ServicePortName['protocol'];
  /** Set for NodePort and LoadBalancer Services (unless allocateLoadBalancerNodePorts is false). */
  readonly nodePort: number | undefined;
  /** status.loadBalancer.ingress[].ip of a LoadBalancer Service. */
  readonly loadBalancerIPs: readonly string[];
  /** spec.externalIPs: handled like load-balancer addresses. */
  readonly externalIPs: readonly string[];
  /** sessionAffinity ClientIP: how long a client stays with its endpoint; absent for None. */
  readonly stickyMaxAgeSeconds: number | undefined;
  /** externalTrafficPolicy Local: NodePort, LoadBalancer and external-IP traffic only to this node's endpoints. */
  readonly externalPolicyLocal: boolean;
}

/** The ports of a Service as kube-proxy serves them (newBaseServiceInfo for each spec.ports[]); none for ExternalName. */
export function servicePortsOf(service: V1Service): ServicePort[] {
  const spec = service.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const namespace = service.metadata.namespace ?? 'default';
  const name = service.metadata.name ?? '';
  const clusterIP = spec.clusterIP && spec.clusterIP !== CLUSTER_IP_NONE ? spec.clusterIP : undefined;
  const loadBalancerIPs = spec.type === 'LoadBalancer' ? (service.status?.loadBalancer?.ingress ?? []).flatMap((ingress) => (ingress.ip ? [ingress.ip] : [])) : [];
  const sticky = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS) : undefined;
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  return (spec.ports ?? []).map((port) => {
    const portName: ServicePortName = { namespace, name, port: port.name ?? '', protocol: port.protocol ?? 'TCP' };
    return Object.freeze({
      name: portName,
      key: servicePortNameString(portName),
      clusterIP,
      port: port.port,
      protocol: portName.protocol,
      nodePort: external && port.nodePort ? port.nodePort : undefined,
      loadBalancerIPs,
      externalIPs: spec.externalIPs ?? [],
      stickyMaxAgeSeconds: sticky,
      externalPolicyLocal: spec.externalTrafficPolicy === 'Local' && (external || (spec.externalIPs?.length ?? 0) > 0),
    });
  });
}
