import { NAMESPACE_INDEX, type Indexer, type KubeObject } from '@kubelab/client';
import { isPodReady } from './pod-util';

/**
 * What the endpoints and the endpointslice controllers share: which pods a Service selects, which
 * of them become endpoints, and on which port (pkg/api/v1/pod FindPort,
 * k8s.io/endpointslice/util and pkg/controller/util/endpoint).
 */

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  ipFamilies?: string[];
  publishNotReadyAddresses?: boolean;
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface Container {
  ports?: ContainerPort[];
  restartPolicy?: string;
}

interface PodSpec {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  containers?: Container[];
  initContainers?: Container[];
}

export function serviceSpec(service: KubeObject): ServiceSpec {
  return (service.spec ?? {}) as ServiceSpec;
}

export function podSpec(pod: KubeObject): PodSpec {
  return (pod.spec ?? {}) as PodSpec;
}

/**
 * The Service's selector, if it has one. An empty one counts as none: Kubernetes' storage keeps
 * an empty map as no map, so `selector: {}` reads back as no selector there too.
 */
export function selectorOf(service: KubeObject): Record<string, string> | undefined {
  const selector = serviceSpec(service).selector;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

/**
 * Whether the Service gets endpoints from the controllers at all: not an ExternalName, and a
 * selector. A Service without one (like `kubernetes` in default) has its endpoints written by
 * someone else, and the controllers leave them alone.
 */
export function hasSelector(service: KubeObject): boolean {
  return serviceSpec(service).type !== 'ExternalName' && selectorOf(service) !== undefined;
}

/** labels.Set(selector).AsSelector().Matches: every pair present. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/**
 * The container port a Service port sends to (podutil.FindPort): a number as it is; a name looked
 * up among the pod's containers (and restartable init containers, the sidecars) with the same
 * protocol. Undefined when the pod has no such named port.
 */
export function findPort(pod: KubeObject, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const spec = podSpec(pod);
  const sidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...(spec.containers ?? []), ...sidecars]) {
    const port = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
    if (port) return port.containerPort;
  }
  return undefined;
}

/** The pod's addresses, status.podIPs or else status.podIP. */
export function podIPs(pod: KubeObject): string[] {
  const status = pod.status as { podIP?: string; podIPs?: Array<{ ip: string }> } | undefined;
  if (status?.podIPs?.length) return status.podIPs.map((p) => p.ip);
  return status?.podIP ? [status.podIP] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The Service's first IP family (IPv4 unless it says IPv6). */
export function primaryIPFamily(service: KubeObject): 'IPv4' | 'IPv6' {
  const spec = serviceSpec(service);
  if (spec.ipFamilies?.length) return spec.ipFamilies[0] === 'IPv6' ? 'IPv6' : 'IPv4';
  return spec.clusterIP && spec.clusterIP !== 'None' && isIPv6(spec.clusterIP) ? 'IPv6' : 'IPv4';
}

/** helper.IsServiceIPSet: a ClusterIP was given (the Service is not headless). */
export function isServiceIPSet(service: KubeObject): boolean {
  const clusterIP = serviceSpec(service).clusterIP;
  return Boolean(clusterIP) && clusterIP !== 'None';
}

/**
 * endpointsliceutil.ShouldPodBeInEndpoints: not finished (Succeeded / Failed), has an IP, and is
 * not being deleted unless terminating pods are wanted.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (podIPs(pod).length === 0) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** endpointsliceutil.ShouldSetHostname: the pod named a hostname under this Service's subdomain. */
export function shouldSetHostname(pod: KubeObject, service: KubeObject): boolean {
  const spec = podSpec(pod);
  return Boolean(spec.hostname) && spec.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
}

/** GetPodServiceMemberships: the Services (of the pod's namespace) whose selector picks the pod. */
export function servicesSelecting(services: KubeObject[], pod: KubeObject): KubeObject[] {
  return services.filter((service) => {
    const selector = selectorOf(service);
    return selector !== undefined && service.metadata.namespace === pod.metadata.namespace && selectorMatches(selector, pod.metadata.labels);
  });
}

/**
 * podEndpointsChanged: whether a pod update matters to endpoints. `podChanged` for what moves an
 * address (being deleted, readiness, IPs); `labelsChanged` for what moves it between Services
 * (labels, hostname, subdomain).
 */
export function podEndpointsChanged(oldPod: KubeObject, newPod: KubeObject): { podChanged: boolean; labelsChanged: boolean } {
  const oldSpec = podSpec(oldPod);
  const newSpec = podSpec(newPod);
  const labelsChanged =
    JSON.stringify(sorted(oldPod.metadata.labels)) !== JSON.stringify(sorted(newPod.metadata.labels)) || oldSpec.hostname !== newSpec.hostname || oldSpec.subdomain !== newSpec.subdomain;
  const podChanged =
    oldPod.metadata.deletionTimestamp !== newPod.metadata.deletionTimestamp || isPodReady(oldPod) !== isPodReady(newPod) || podIPs(oldPod).join(',') !== podIPs(newPod).join(',');
  return { podChanged, labelsChanged };
}

/**
 * GetServicesToUpdateOnPodChange: the Services to sync after a pod update. A pod that changed
 * concerns the Services of its old and new labels; a pod whose labels alone changed, only the
 * Services it joined or left.
 */
export function servicesToUpdateOnPodChange(services: KubeObject[], oldPod: KubeObject, newPod: KubeObject): KubeObject[] {
  if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return [];
  // No Service of the namespace selects pods (often: only `kubernetes` in default): none to update, whatever changed.
  if (!services.some((service) => selectorOf(service) !== undefined)) return [];
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return [];
  const now = servicesSelecting(services, newPod);
  if (!labelsChanged) return now;
  const before = servicesSelecting(services, oldPod);
  if (podChanged) return [...new Set([...now, ...before])];
  return [...now.filter((s) => !before.includes(s)), ...before.filter((s) => !now.includes(s))];
}

function sorted(labels: Record<string, string> | undefined): Array<[string, string]> {
  return Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The pods of the Service's namespace that its selector picks (the Service must have one). */
export function podsSelectedBy(pods: Indexer<KubeObject>, service: KubeObject): KubeObject[] {
  const selector = selectorOf(service)!;
  return pods.byIndex(NAMESPACE_INDEX, service.metadata.namespace ?? '').filter((pod) => selectorMatches(selector, pod.metadata.labels));
}
