import { metaNamespaceKey, type ResourceEventHandler } from '@kubelab/client';
import type { V1Service } from './api';
import { servicePortsOf, type ServicePort } from './service-port';

/**
 * ServiceChangeTracker: the Service informer's events turned into kube-proxy's ServicePortMap
 * (every port of every Service, keyed by `namespace/name:port`). It tells `onChange` which
 * Service changed so the proxier re-syncs; a change that leaves the ports as they were (a label,
 * an annotation, status other than the load balancer) is no change.
 */
export class ServiceChangeTracker implements ResourceEventHandler<V1Service> {
  private readonly byService = new Map<string, ServicePort[]>();

  constructor(private readonly onChange: (serviceKey: string) => void = () => {}) {}

  onAdd(service: V1Service): void {
    this.update(service);
  }

  onUpdate(_old: V1Service, service: V1Service): void {
    this.update(service);
  }

  onDelete(service: V1Service): void {
    const key = metaNamespaceKey(service);
    if (!this.byService.delete(key)) return;
    this.onChange(key);
  }

  /** Every Service port (the ServicePortMap). */
  servicePorts(): ServicePort[] {
    return [...this.byService.values()].flat();
  }

  private update(service: V1Service): void {
    const key = metaNamespaceKey(service);
    const ports = servicePortsOf(service);
    const before = this.byService.get(key);
    if (before && JSON.stringify(before) === JSON.stringify(ports)) return;
    this.byService.set(key, ports);
    this.onChange(key);
  }
}
