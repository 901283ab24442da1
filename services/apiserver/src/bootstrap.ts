import { isNotFound } from '@kubelab/apimachinery';
import type { Logger } from '@kubelab/component-base';
import { ApiError } from './errors';
import type { GenericRegistry } from './registry/generic-registry';
import { endpoints } from './registry/resources/endpoints';
import { endpointslices } from './registry/resources/endpointslices';
import { namespaces } from './registry/resources/namespaces';
import { priorityclasses } from './registry/resources/priorityclasses';
import { services } from './registry/resources/services';
import { DEFAULT_SERVICE_CLUSTER_IP_RANGE, ServiceIPRange } from './registry/service-allocator';
import type { KubeObject, ResourceType } from './registry/types';

/**
 * What a fresh cluster has before anyone asks (the apiserver's bootstrap controllers): the four
 * system namespaces, the `kubernetes` Service on the first address of the service range with its
 * Endpoints and EndpointSlice (the apiserver itself: the Service has no selector, so no controller
 * fills them), the two system PriorityClasses, and the `kube-dns` Service on the range's tenth
 * address, as kubeadm's CoreDNS add-on creates it (in the lab, kube-proxy answers DNS on it).
 * Safe to run on every start: what exists is left alone.
 */
export async function bootstrap(registry: GenericRegistry, advertise: { address: string; port: number }, log: Logger, serviceClusterIPRange: string = DEFAULT_SERVICE_CLUSTER_IP_RANGE): Promise<void> {
  const range = new ServiceIPRange(serviceClusterIPRange);
  const ensure = async (type: ResourceType, namespace: string | undefined, object: KubeObject) => {
    try {
      // Look first: creating again would trip over the object's own allocations (its ClusterIP).
      const exists = await registry.get(type, namespace, object.metadata.name!).then(
        () => true,
        (error: unknown) => {
          if (isNotFound(error)) return false;
          throw error;
        },
      );
      if (exists) return;
      await registry.create(type, namespace, object);
      log.info({ kind: type.kind, name: object.metadata.name }, 'bootstrap: created');
    } catch (error) {
      if (!(error instanceof ApiError && error.status.code === 409)) throw error;
    }
  };
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(namespaces, undefined, { metadata: { name } });
  }
  await ensure(services, 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: range.kubernetes, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: advertise.port }], sessionAffinity: 'None' },
  });
  const port = { name: 'https', port: advertise.port, protocol: 'TCP' };
  await ensure(endpoints, 'default', {
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: advertise.address }], ports: [port] }],
  });
  await ensure(endpointslices, 'default', {
    metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [advertise.address], conditions: { ready: true } }],
    ports: [port],
  });
  await ensure(priorityclasses, undefined, {
    metadata: { name: 'system-cluster-critical' },
    value: 2000000000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  });
  await ensure(priorityclasses, undefined, {
    metadata: { name: 'system-node-critical' },
    value: 2000001000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  });
  await ensure(services, 'kube-system', kubeDNSService(range.dns));
}

/** kubeadm's CoreDNS Service (cmd/kubeadm/app/phases/addons/dns), on the cluster DNS address. */
function kubeDNSService(clusterIP: string): KubeObject {
  return {
    metadata: {
      name: 'kube-dns',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      sessionAffinity: 'None',
    },
  };
}
