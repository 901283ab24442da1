import type { KubeObject } from '@kubelab/client';
import { findPort, isIPv6, podIPs, podSpec, serviceSpec, shouldSetHostname } from '../../controller/endpoint-util';
import { isPodReady } from '../../controller/pod-util';

/** discovery/v1 Endpoint. */
export interface Endpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: { kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string };
  nodeName?: string;
  zone?: string;
}

/** discovery/v1 EndpointPort: name and protocol are always written, an unnamed port as "". */
export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export type AddressType = 'IPv4' | 'IPv6';

/** The label a node's zone is read from (v1.LabelTopologyZone). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * podToEndpoint: the pod as an endpoint. `serving` is the pod's readiness, `terminating` whether
 * it is being deleted, and `ready` is serving and not terminating (or always, when the Service
 * publishes not-ready addresses). The zone comes from the pod's node.
 */
export function podToEndpoint(pod: KubeObject, node: KubeObject | undefined, service: KubeObject, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const ready = serviceSpec(service).publishNotReadyAddresses === true || (serving && !terminating);
  const endpoint: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid },
  };
  const spec = podSpec(pod);
  if (spec.nodeName) endpoint.nodeName = spec.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) endpoint.zone = zone;
  if (shouldSetHostname(pod, service)) endpoint.hostname = spec.hostname;
  return endpoint;
}

/** getEndpointPorts: the Service's ports as this pod resolves them (a port it cannot resolve is left out). */
export function endpointPorts(service: KubeObject, pod: KubeObject): EndpointPort[] {
  const spec = serviceSpec(service);
  const ports: EndpointPort[] = [];
  for (const servicePort of spec.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    ports.push({ name: servicePort.name ?? '', protocol: servicePort.protocol ?? 'TCP', port, ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol } : {}) });
  }
  return ports;
}

/** endpointsliceutil.NewPortMapKey: endpoints with the same ports (in any order) share slices. */
export function portMapKey(ports: EndpointPort[] | undefined): string {
  const canonical = (ports ?? []).map((p) => [p.name ?? '', p.protocol ?? '', p.port ?? null, p.appProtocol ?? null]);
  return JSON.stringify(canonical.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
}

/** The identity of an endpoint in its set (hashEndpoint): its addresses, hostname and target. */
export function endpointKey(endpoint: Endpoint): string {
  return JSON.stringify([[...endpoint.addresses].sort(), endpoint.hostname ?? '', endpoint.targetRef?.namespace ?? '', endpoint.targetRef?.name ?? '']);
}

/** EndpointsEqualBeyondHash: the same node, zone, conditions and target (its resourceVersion aside). */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  const ta = a.targetRef;
  const tb = b.targetRef;
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    ca.ready === cb.ready &&
    ca.serving === cb.serving &&
    ca.terminating === cb.terminating &&
    ta?.kind === tb?.kind &&
    ta?.namespace === tb?.namespace &&
    ta?.name === tb?.name &&
    ta?.uid === tb?.uid
  );
}
