import { SERVICE_NAME_LABEL, type V1EndpointPort, type V1EndpointSlice } from './api';

/** An endpoint of a Service as the slices list it, with the ports of its slice (what the cluster DNS reads too). */
export interface SliceEndpoint {
  /** addresses[0]: kube-proxy and CoreDNS use an endpoint's first address. */
  readonly address: string;
  readonly hostname: string | undefined;
  readonly nodeName: string | undefined;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly ports: readonly V1EndpointPort[];
}

/**
 * EndpointSliceCache: the IPv4 EndpointSlices of every Service, by the Service they name in the
 * `kubernetes.io/service-name` label. A Service's endpoints are the union of its slices; an
 * address listed twice (slices overlap while the controller moves endpoints) counts once, the
 * ready copy winning.
 */
export class EndpointSliceCache {
  private readonly slices = new Map<string, Map<string, V1EndpointSlice>>();

  /** Files a slice (added or changed); returns the `namespace/name` of its Service, or undefined for a slice of no Service. */
  update(slice: V1EndpointSlice): string | undefined {
    const service = serviceKeyOf(slice);
    if (!service) return undefined;
    let slices = this.slices.get(service);
    if (!slices) this.slices.set(service, (slices = new Map()));
    slices.set(slice.metadata.name ?? '', slice);
    return service;
  }

  /** Forgets a deleted slice; returns its Service's key. */
  delete(slice: V1EndpointSlice): string | undefined {
    const service = serviceKeyOf(slice);
    if (!service) return undefined;
    const slices = this.slices.get(service);
    slices?.delete(slice.metadata.name ?? '');
    if (slices?.size === 0) this.slices.delete(service);
    return service;
  }

  /** Every endpoint of the Service, each address once. */
  endpoints(namespace: string, name: string): SliceEndpoint[] {
    const byAddress = new Map<string, SliceEndpoint>();
    for (const slice of this.slices.get(`${namespace}/${name}`)?.values() ?? []) {
      if (slice.addressType !== 'IPv4') continue;
      for (const endpoint of slice.endpoints ?? []) {
        const address = endpoint.addresses?.[0];
        if (!address) continue;
        // As kube-proxy reads them (and the API defines them): nil ready and serving mean true, nil terminating false.
        const conditions = endpoint.conditions ?? {};
        const ready = conditions.ready !== false;
        const entry: SliceEndpoint = {
          address,
          hostname: endpoint.hostname || undefined,
          nodeName: endpoint.nodeName || undefined,
          ready,
          serving: conditions.serving !== false,
          terminating: conditions.terminating === true,
          ports: slice.ports ?? [],
        };
        const seen = byAddress.get(address);
        if (!seen) byAddress.set(address, entry);
        else byAddress.set(address, { ...(ready && !seen.ready ? entry : seen), ports: mergePorts(seen.ports, entry.ports) });
      }
    }
    return [...byAddress.values()];
  }
}

function serviceKeyOf(slice: V1EndpointSlice): string | undefined {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return service ? `${slice.metadata.namespace ?? 'default'}/${service}` : undefined;
}

function mergePorts(a: readonly V1EndpointPort[], b: readonly V1EndpointPort[]): V1EndpointPort[] {
  const merged = [...a];
  for (const port of b) if (!merged.some((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'))) merged.push(port);
  return merged;
}
