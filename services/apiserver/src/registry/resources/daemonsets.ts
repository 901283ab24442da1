import { formatLabelSelector } from '@kubelab/apimachinery';
import { age, ageColumn, column, containersAndImages, formatLabelMap, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';
import { workloadWarnings } from './pod-warnings';
import { createWorkload, defaultPodTemplate, updateWorkload, validateWorkload } from './workloads';

type Status = { desiredNumberScheduled?: number; currentNumberScheduled?: number; numberReady?: number; updatedNumberScheduled?: number; numberAvailable?: number };

export const daemonsets: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
  strategy: {
    prepareForCreate: (ds) => createWorkload(ds, defaultDaemonSet, { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }),
    prepareForUpdate: (ds, old) => updateWorkload(ds, old, defaultDaemonSet),
    validate: (ds) => validateWorkload({ ...ds, spec: { ...ds.spec, replicas: undefined } }, 'DaemonSet'),
    warningsOnCreate: workloadWarnings.onCreate,
    warningsOnUpdate: workloadWarnings.onUpdate,
  },
  printer: {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
      column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
      column('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
      column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
      column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
      column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
      ageColumn,
      column('Containers', 'string', 'Names of each container in the template.', 1),
      column('Images', 'string', 'Images referenced by each container in the template.', 1),
      column('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
    ],
    row(ds, now) {
      const s = (ds.status ?? {}) as Status;
      const [containers, images] = containersAndImages(ds);
      const nodeSelector = ((ds.spec?.template as { spec?: { nodeSelector?: Record<string, string> } } | undefined)?.spec?.nodeSelector);
      return [ds.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, formatLabelMap(nodeSelector), age(ds.metadata.creationTimestamp, now), containers, images, formatLabelSelector(ds.spec?.selector as never)];
    },
  },
};

/** SetDefaults_DaemonSet, on create and on every update. */
function defaultDaemonSet(ds: KubeObject): void {
  const spec = (ds.spec ??= {}) as Record<string, unknown>;
  spec.revisionHistoryLimit ??= 10;
  const strategy = ((spec.updateStrategy as Record<string, unknown> | undefined) ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = ((strategy.rollingUpdate as Record<string, unknown> | undefined) ??= {});
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
  }
  defaultPodTemplate(ds);
}
