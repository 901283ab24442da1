import { age, ageColumn, column, nameColumn } from '../printing';
import { bumpGeneration, semanticallyEqual, startGeneration } from '../object-meta';
import type { KubeObject, ResourceType } from '../types';

function formatPorts(slice: KubeObject): string {
  const ports = (slice.ports as Array<{ port?: number }> | undefined) ?? [];
  if (ports.length === 0) return '<unset>';
  const list = ports.map((p) => (p.port === undefined ? '<unset>' : String(p.port)));
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

function formatAddresses(slice: KubeObject): string {
  const addresses = ((slice.endpoints as Array<{ addresses?: string[] }> | undefined) ?? []).flatMap((e) => e.addresses ?? []);
  if (addresses.length === 0) return '<unset>';
  return addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
}

export const endpointslices: ResourceType = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  strategy: {
    prepareForCreate: startGeneration,
    // A change of anything but the metadata, or of the labels, is a new generation.
    prepareForUpdate(slice, old) {
      const { metadata: newMeta, ...next } = slice;
      const { metadata: oldMeta, ...previous } = old;
      bumpGeneration(slice, old, !semanticallyEqual(next, previous) || !semanticallyEqual(newMeta.labels, oldMeta.labels));
    },
  },
  printer: {
    columns: [
      nameColumn,
      column('AddressType', 'string', 'The IP protocol for this slice'),
      column('Ports', 'string', 'The ports exposed by this slice'),
      column('Endpoints', 'string', 'The endpoints in this slice'),
      ageColumn,
    ],
    row: (slice, now) => [slice.metadata.name, slice.addressType ?? '', formatPorts(slice), formatAddresses(slice), age(slice.metadata.creationTimestamp, now)],
  },
};
