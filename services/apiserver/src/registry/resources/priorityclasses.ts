import { age, ageColumn, column, nameColumn } from '../printing';
import type { ResourceType } from '../types';

export const priorityclasses: ResourceType = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  resource: 'priorityclasses',
  singular: 'priorityclass',
  shortNames: ['pc'],
  namespaced: false,
  strategy: {
    // SetDefaults_PriorityClass, on create and on every update.
    prepareForCreate(pc) {
      pc.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    prepareForUpdate(pc) {
      pc.preemptionPolicy ??= 'PreemptLowerPriority';
    },
  },
  printer: {
    columns: [
      nameColumn,
      column('Value', 'integer', 'value represents the integer value of this priority class.'),
      column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
      ageColumn,
      column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
    ],
    row: (pc, now) => [pc.metadata.name, pc.value ?? 0, Boolean(pc.globalDefault), age(pc.metadata.creationTimestamp, now), pc.preemptionPolicy ?? 'PreemptLowerPriority'],
  },
};
