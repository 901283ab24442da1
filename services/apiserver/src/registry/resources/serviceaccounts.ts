import { age, ageColumn, column, nameColumn } from '../printing';
import type { ResourceType } from '../types';

export const serviceaccounts: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  namespaced: true,
  strategy: {},
  printer: {
    columns: [nameColumn, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
    row: (sa, now) => [sa.metadata.name, ((sa.secrets as unknown[]) ?? []).length, age(sa.metadata.creationTimestamp, now)],
  },
};
