import { formatLabelSelector } from '@kubelab/apimachinery';
import { age, ageColumn, column, containersAndImages, nameColumn } from '../printing';
import { semanticallyEqual } from '../object-meta';
import type { KubeObject, ResourceType } from '../types';
import { workloadWarnings } from './pod-warnings';
import { createWorkload, defaultPodTemplate, updateWorkload, validateWorkload } from './workloads';

type Status = { replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number };

export const deployments: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  strategy: {
    prepareForCreate: (d) => createWorkload(d, defaultDeployment, {}),
    // Annotations count too: the Deployment controller copies them to its ReplicaSets.
    prepareForUpdate: (d, old) => updateWorkload(d, old, defaultDeployment, () => !semanticallyEqual(countedAnnotations(d), countedAnnotations(old))),
    validate: (object) => validateWorkload(object, 'ReplicaSet'),
    warningsOnCreate: workloadWarnings.onCreate,
    warningsOnUpdate: workloadWarnings.onUpdate,
  },
  printer: {
    columns: [
      nameColumn,
      column('Ready', 'string', 'Number of the pod with ready state'),
      column('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      column('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      ageColumn,
      column('Containers', 'string', 'Names of each container in the template.', 1),
      column('Images', 'string', 'Images referenced by each container in the template.', 1),
      column('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
    ],
    row(d, now) {
      const s = (d.status ?? {}) as Status;
      const [containers, images] = containersAndImages(d);
      return [d.metadata.name, `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age(d.metadata.creationTimestamp, now), containers, images, formatLabelSelector(d.spec?.selector as never)];
    },
  },
};

/**
 * The annotations whose change is a new generation: all but the revision. Kubernetes' Deployment
 * controller writes that one through the status subresource, which counts nothing; kubelab's
 * writes it through the object (controllers/deployment/deployment-sync.ts), and a new Deployment
 * would otherwise be at generation 2 once its first ReplicaSet exists.
 */
function countedAnnotations(d: KubeObject): Record<string, string> | undefined {
  const annotations = d.metadata.annotations;
  if (!annotations || !(REVISION_ANNOTATION in annotations)) return annotations;
  const { [REVISION_ANNOTATION]: _revision, ...rest } = annotations;
  return rest;
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** SetDefaults_Deployment, on create and on every update. */
function defaultDeployment(d: KubeObject): void {
  const spec = (d.spec ??= {}) as Record<string, unknown>;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultStrategy(spec);
  defaultPodTemplate(d);
}

/** SetDefaults_Deployment: `strategy: {}` (what `kubectl create deployment` sends) is a RollingUpdate of 25% / 25%. */
function defaultStrategy(spec: Record<string, unknown>): void {
  const strategy = ((spec.strategy as Record<string, unknown> | undefined) ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = ((strategy.rollingUpdate as Record<string, unknown> | undefined) ??= {});
    rolling.maxSurge ??= '25%';
    rolling.maxUnavailable ??= '25%';
  }
}
