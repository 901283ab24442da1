import type { GroupVersionResource, KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { TestEnv } from '../../controller/testing';

/** Fixtures for the workload controllers' tests (ReplicaSets, Deployments and their pods). */

export interface PodFixture {
  labels?: Record<string, string>;
  /** The controller, as an owner reference is made from it. */
  owner?: KubeObject;
  nodeName?: string;
  phase?: string;
  /** When the pod became Ready (RFC 3339); absent: not ready. */
  readySince?: string;
  created?: string;
  restarts?: number;
  deleting?: boolean;
  annotations?: Record<string, string>;
  uid?: string;
}

export function podFixture(name: string, f: PodFixture = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: f.uid ?? `uid-${name}`,
      creationTimestamp: f.created ?? '2026-01-01T00:00:00Z',
      labels: f.labels ?? { app: 'web' },
      ...(f.annotations ? { annotations: f.annotations } : {}),
      ...(f.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      ...(f.owner ? { ownerReferences: [ownerRef(f.owner)] } : {}),
    },
    spec: { containers: [{ name: 'web', image: 'nginx' }], ...(f.nodeName ? { nodeName: f.nodeName } : {}) },
    status: {
      phase: f.phase ?? 'Pending',
      ...(f.readySince ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: f.readySince }] } : {}),
      ...(f.restarts ? { containerStatuses: [{ name: 'web', restartCount: f.restarts }] } : {}),
    },
  };
}

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
      creationTimestamp: f.created ?? '2026-01-01T00:00:00Z',
      labels,
      ...(f.annotations ? { annotations: f.annotations } : {}),
      ...(f.owner ? { ownerReferences: [ownerRef(f.owner)] } : {}),
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

/** A Deployment as the apiserver stores it (its defaults filled in), selecting `app: <name>`. */
export function deploymentFixture(name: string, f: DeploymentFixture = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: f.generation ?? 1, creationTimestamp: '2026-01-01T00:00:00Z', ...(f.annotations ? { annotations: f.annotations } : {}) },
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

export function ownerRef(owner: KubeObject): { apiVersion: string; kind: string; name: string; uid: string; controller: true; blockOwnerDeletion: true } {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A pod made Ready (as a kubelet would report it) at `since`. */
export function markReady(pod: KubeObject, since: string): KubeObject {
  return { ...pod, status: { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] } };
}

/**
 * Resolves when the shared informers of these resources hold exactly what the fake server holds
 * (same keys, same resourceVersions): what a controller wrote has come back through its watch.
 */
export async function caughtUp(env: TestEnv, ...resources: GroupVersionResource[]): Promise<void> {
  await waitFor(
    () =>
      resources.every((r) => {
        const stored = env.objects(`${r.group}/${r.resource}`);
        const cached = env.ctx.informers.informer(r).indexer;
        return cached.size === stored.length && stored.every((o) => cached.get(o.metadata.namespace, o.metadata.name!)?.metadata.resourceVersion === o.metadata.resourceVersion);
      }),
    { timeoutMs: 5_000, intervalMs: 5, what: 'the informers to catch up' },
  );
}
