import type { KubeObject } from '@kubelab/client';
import { isServiceIPSet } from '../../controller/endpoint-util';
import { semanticEqual } from '../../controller/semantic-equal';
import type { AddressType, Endpoint, EndpointPort } from './endpoint';

/** The Service a slice belongs to (discovery.LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Who manages a slice (discovery.LabelManagedBy). */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** This controller's name in MANAGED_BY_LABEL. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Set on the slices of a headless Service (v1.IsHeadlessService). */
export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';

const RESERVED_LABELS = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_SERVICE_LABEL]);

/** A discovery.k8s.io/v1 EndpointSlice, with the fields this controller reads typed. */
export interface EndpointSlice extends KubeObject {
  addressType: AddressType;
  endpoints: Endpoint[];
  ports: EndpointPort[];
}

/**
 * setEndpointSliceLabels: the Service's own labels (but the reserved ones), the headless mark
 * when it has no ClusterIP, the Service's name and this controller as manager. `changed` says
 * whether the slice's copy of the Service's labels differs (the headless mark aside, as in Kubernetes).
 */
export function endpointSliceLabels(slice: KubeObject | undefined, service: KubeObject): { labels: Record<string, string>; changed: boolean } {
  const own = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => !RESERVED_LABELS.has(key)));
  const fromService = own(service.metadata.labels);
  const changed = !semanticEqual(own(slice?.metadata.labels), fromService);
  const labels: Record<string, string> = { ...fromService };
  if (!isServiceIPSet(service)) labels[HEADLESS_SERVICE_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return { labels, changed };
}

/** newEndpointSlice: an empty slice for the Service, named by the apiserver from `<service>-`, owned by the Service. */
export function newEndpointSlice(service: KubeObject, ports: EndpointPort[], addressType: AddressType): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace,
      labels: endpointSliceLabels(undefined, service).labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name!, uid: service.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

/** ownedBy: the slice names this very Service (same uid) as its owner. */
export function ownedBy(slice: KubeObject, service: KubeObject): boolean {
  return (slice.metadata.ownerReferences ?? []).some((ref) => ref.uid === service.metadata.uid && ref.kind === 'Service' && ref.apiVersion === 'v1');
}

/** placeholderSliceCompare: the same namespace, labels, address type, endpoints and ports (names and owners aside). */
export function samePlaceholder(a: EndpointSlice, b: EndpointSlice): boolean {
  return (
    a.metadata.namespace === b.metadata.namespace &&
    semanticEqual(a.metadata.labels, b.metadata.labels) &&
    a.addressType === b.addressType &&
    semanticEqual(a.endpoints, b.endpoints) &&
    semanticEqual(a.ports, b.ports)
  );
}
