import { age, ageColumn, column, containersAndImages, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';
import { workloadWarnings } from './pod-warnings';
import { createWorkload, defaultPodTemplate, updateWorkload, validateWorkload } from './workloads';

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
    prepareForCreate: (sts) => createWorkload(sts, defaultStatefulSet, { replicas: 0, availableReplicas: 0 }),
    prepareForUpdate: (sts, old) => updateWorkload(sts, old, defaultStatefulSet),
    validate: (object) => validateWorkload(object, 'StatefulSet'),
    warningsOnCreate: workloadWarnings.onCreate,
    warningsOnUpdate: workloadWarnings.onUpdate,
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

/** SetDefaults_StatefulSet, on create and on every update. */
function defaultStatefulSet(sts: KubeObject): void {
  const spec = (sts.spec ??= {}) as Record<string, unknown>;
  spec.replicas ??= 1;
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  const strategy = ((spec.updateStrategy as Record<string, unknown> | undefined) ??= {});
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate && typeof strategy.rollingUpdate === 'object') {
    (strategy.rollingUpdate as Record<string, unknown>).partition ??= 0;
  }
  defaultPodTemplate(sts);
}
