import type { KubeObject } from '@kubelab/client';
import type { DaemonSet, Pod as DaemonPod, PodSpec as DaemonPodSpec } from '../controllers/daemonset/types';
import type { StatefulSet, StatefulSetSpec } from '../controllers/statefulset/types';
import { newControllerRef } from './controller-ref';
import { CREATED, podFixture, type PodFixture } from './testing-objects';

/**
 * Fixture builders for the workloads (ReplicaSets, Deployments, DaemonSets, StatefulSets) as the
 * apiserver stores them, defaults filled in, each selecting `app: <name>` unless told otherwise.
 */

export interface ReplicaSetFixture {
  replicas?: number;
  labels?: Record<string, string>;
  owner?: KubeObject;
  generation?: number;
  minReadySeconds?: number;
  created?: string;
  annotations?: Record<string, string>;
  status?: Record<string, unknown>;
  template?: Record<string, unknown>;
}

/** A ReplicaSet of `labels` (default `app: web`), selecting and templating them. */
export function replicaSetFixture(name: string, f: ReplicaSetFixture = {}): KubeObject {
  const labels = f.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: f.generation ?? 1,
      creationTimestamp: f.created ?? CREATED,
      labels,
      ...(f.annotations ? { annotations: f.annotations } : {}),
      ...(f.owner ? { ownerReferences: [newControllerRef(f.owner, f.owner.apiVersion!, f.owner.kind!)] } : {}),
    },
    spec: {
      replicas: f.replicas ?? 1,
      selector: { matchLabels: labels },
      ...(f.minReadySeconds ? { minReadySeconds: f.minReadySeconds } : {}),
      template: f.template ?? { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
    status: f.status ?? { replicas: 0 },
  };
}

export interface DeploymentFixture {
  replicas?: number;
  image?: string;
  generation?: number;
  strategy?: Record<string, unknown>;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
  annotations?: Record<string, string>;
  selector?: Record<string, unknown>;
}

/** A Deployment as the apiserver stores it (its defaults filled in). */
export function deploymentFixture(name: string, f: DeploymentFixture = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: f.generation ?? 1, creationTimestamp: CREATED, ...(f.annotations ? { annotations: f.annotations } : {}) },
    spec: {
      replicas: f.replicas ?? 3,
      selector: f.selector ?? { matchLabels: { app: name } },
      template: deploymentTemplate(name, f.image ?? 'nginx:1.24'),
      strategy: f.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: f.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: f.progressDeadlineSeconds ?? 600,
      ...(f.minReadySeconds ? { minReadySeconds: f.minReadySeconds } : {}),
      ...(f.paused ? { paused: true } : {}),
    },
    status: {},
  };
}

/** The pod template of deploymentFixture for an image. */
export function deploymentTemplate(name: string, image: string): { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } {
  return { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } };
}

export interface DaemonSetFixture {
  nodeSelector?: Record<string, string>;
  affinity?: DaemonPodSpec['affinity'];
  tolerations?: DaemonPodSpec['tolerations'];
  hostNetwork?: boolean;
  nodeName?: string;
  image?: string;
  updateStrategy?: DaemonSet['spec']['updateStrategy'];
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  generation?: number;
  status?: DaemonSet['status'];
}

/** A DaemonSet of a `fluentd:1` agent, RollingUpdate one node at a time. */
export function daemonSetFixture(name: string, f: DaemonSetFixture = {}): DaemonSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: f.generation ?? 1, creationTimestamp: CREATED },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'agent', image: f.image ?? 'fluentd:1' }],
          ...(f.nodeSelector ? { nodeSelector: f.nodeSelector } : {}),
          ...(f.affinity ? { affinity: f.affinity } : {}),
          ...(f.tolerations ? { tolerations: f.tolerations } : {}),
          ...(f.hostNetwork ? { hostNetwork: true } : {}),
          ...(f.nodeName ? { nodeName: f.nodeName } : {}),
        },
      },
      updateStrategy: f.updateStrategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: f.revisionHistoryLimit ?? 10,
      ...(f.minReadySeconds ? { minReadySeconds: f.minReadySeconds } : {}),
    },
    status: f.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 },
  };
}

export interface DaemonPodFixture extends Omit<PodFixture, 'nodeName' | 'affinity'> {
  node: string;
  /** Its controller-revision-hash label. */
  hash?: string;
  /** Bound to its node (spec.nodeName) rather than only pinned by affinity. */
  bound?: boolean;
}

/** A daemon pod as the DaemonSet controller makes it, pinned to `node` by node affinity (labels default `app: ds`). */
export function daemonPodFixture(name: string, f: DaemonPodFixture): DaemonPod {
  const { node, hash, bound, labels, ...pod } = f;
  return podFixture<DaemonPod>(name, {
    ...pod,
    labels: { ...(labels ?? { app: 'ds' }), ...(hash ? { 'controller-revision-hash': hash } : {}) },
    ...(bound ? { nodeName: node } : {}),
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } },
  });
}

/** A StatefulSet `web`-style: 3 replicas of nginx:1.27, OrderedReady, RollingUpdate; `f` overrides the spec. */
export function statefulSetFixture(name: string, f: Partial<StatefulSetSpec> & { generation?: number; status?: StatefulSet['status'] } = {}): StatefulSet {
  const { generation, status, ...spec } = f;
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: generation ?? 1, creationTimestamp: CREATED },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      ...spec,
    },
    status: status ?? { replicas: 0, availableReplicas: 0 },
  };
}
