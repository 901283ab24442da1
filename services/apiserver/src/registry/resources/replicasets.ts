import { formatLabelSelector } from '@kubelab/apimachinery';
import { age, ageColumn, column, containersAndImages, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';
import { workloadWarnings } from './pod-warnings';
import { createWorkload, defaultPodTemplate, updateWorkload, validateWorkload } from './workloads';

export const replicasets: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  strategy: {
    prepareForCreate: (rs) => createWorkload(rs, defaultReplicaSet, { replicas: 0 }),
    prepareForUpdate: (rs, old) => updateWorkload(rs, old, defaultReplicaSet),
    validate: (object) => validateWorkload(object, 'ReplicaSet'),
    warningsOnCreate: workloadWarnings.onCreate,
    warningsOnUpdate: workloadWarnings.onUpdate,
  },
  printer: {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'Replicas is the number of desired pods.'),
      column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
      column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
      ageColumn,
      column('Containers', 'string', 'Names of each container in the template.', 1),
      column('Images', 'string', 'Images referenced by each container in the template.', 1),
      column('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
    ],
    row(rs, now) {
      const s = (rs.status ?? {}) as { replicas?: number; readyReplicas?: number };
      const [containers, images] = containersAndImages(rs);
      return [rs.metadata.name, rs.spec?.replicas ?? 0, s.replicas ?? 0, s.readyReplicas ?? 0, age(rs.metadata.creationTimestamp, now), containers, images, formatLabelSelector(rs.spec?.selector as never)];
    },
  },
};

/** SetDefaults_ReplicaSet, on create and on every update. */
function defaultReplicaSet(rs: KubeObject): void {
  const spec = (rs.spec ??= {}) as Record<string, unknown>;
  spec.replicas ??= 1;
  defaultPodTemplate(rs);
}
