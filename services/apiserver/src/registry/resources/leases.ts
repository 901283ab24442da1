import { age, ageColumn, column, nameColumn } from '../printing';
import type { ResourceType } from '../types';

export const leases: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  singular: 'lease',
  namespaced: true,
  strategy: {},
  printer: {
    columns: [nameColumn, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
    row: (lease, now) => [lease.metadata.name, (lease.spec?.holderIdentity as string | undefined) ?? '', age(lease.metadata.creationTimestamp, now)],
  },
};
