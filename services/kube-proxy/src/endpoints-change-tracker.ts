import type { ResourceEventHandler } from '@kubelab/client';
import type { V1EndpointSlice } from './api';
import type { Endpoint } from './endpoint';
import { EndpointSliceCache, type SliceEndpoint } from './endpoint-slice-cache';
import type { ServicePortName } from './service-port';

/**
 * EndpointsChangeTracker: the EndpointSlice informer's events into the EndpointSliceCache, and
 * from it the EndpointsMap kube-proxy routes with: for a Service port, its endpoints with the
 * port number the slice gives under the Service port's name (and protocol).
 */
export class EndpointsChangeTracker implements ResourceEventHandler<V1EndpointSlice> {
  readonly cache = new EndpointSliceCache();

  constructor(private readonly onChange: (serviceKey: string) => void = () => {}) {}

  onAdd(slice: V1EndpointSlice): void {
    this.changed(this.cache.update(slice));
  }

  onUpdate(_old: V1EndpointSlice, slice: V1EndpointSlice): void {
    this.changed(this.cache.update(slice));
  }

  onDelete(slice: V1EndpointSlice): void {
    this.changed(this.cache.delete(slice));
  }

  /** The endpoints of one Service port: those whose slice has a port of that name and protocol. */
  endpointsFor(name: ServicePortName): Endpoint[] {
    return this.cache.endpoints(name.namespace, name.name).flatMap((endpoint) => {
      const port = resolvePort(endpoint, name);
      return port === undefined ? [] : [toEndpoint(endpoint, port)];
    });
  }

  private changed(serviceKey: string | undefined): void {
    if (!serviceKey) return;
    this.onChange(serviceKey);
  }
}

function resolvePort(endpoint: SliceEndpoint, name: ServicePortName): number | undefined {
  const port = endpoint.ports.find((p) => (p.name ?? '') === name.port && (p.protocol ?? 'TCP') === name.protocol);
  return port?.port ?? undefined;
}

function toEndpoint(endpoint: SliceEndpoint, port: number): Endpoint {
  return Object.freeze({
    key: `${endpoint.address}:${port}`,
    ip: endpoint.address,
    port,
    nodeName: endpoint.nodeName,
    ready: endpoint.ready,
    serving: endpoint.serving,
    terminating: endpoint.terminating,
  });
}
