import { age, ageColumn, column, containersAndImages, nameColumn } from '../printing';
import type { ResourceType } from '../types';
import { defaultPodTemplate, keepStatus, validateWorkload } from './workloads';

export const statefulsets: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  resource: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  strategy: {
    prepareForCreate(sts) {
      const spec = (sts.spec ??= {}) as Record<string, unknown>;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      defaultPodTemplate(sts);
      sts.status = { replicas: 0, availableReplicas: 0 };
    },
    prepareForUpdate: keepStatus,
    validate: (object) => validateWorkload(object, 'StatefulSet'),
  },
  printer: {
    columns: [
      nameColumn,
      column('Ready', 'string', 'Number of the pod with ready state'),
      ageColumn,
      column('Containers', 'string', 'Names of each container in the template.', 1),
      column('Images', 'string', 'Images referenced by each container in the template.', 1),
    ],
    row(sts, now) {
      const [containers, images] = containersAndImages(sts);
      return [sts.metadata.name, `${(sts.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`, age(sts.metadata.creationTimestamp, now), containers, images];
    },
  },
};
