import { age, ageColumn, column, nameColumn } from '../printing';
import type { ResourceType } from '../types';

export const configmaps: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  strategy: {},
  printer: {
    columns: [nameColumn, column('Data', 'string', 'Data contains the configuration data.'), ageColumn],
    row: (cm, now) => [cm.metadata.name, Object.keys((cm.data as object) ?? {}).length + Object.keys((cm.binaryData as object) ?? {}).length, age(cm.metadata.creationTimestamp, now)],
  },
};
