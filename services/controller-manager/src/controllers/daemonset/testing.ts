import { Resources, type KubeObject } from '@kubelab/client';
import type { Taint, Toleration } from '../../controller/taints';
import type { TestEnv } from '../../controller/testing';
import type { Affinity } from './node-affinity';
import type { DaemonSet, Node, Pod } from './types';

/** Fixtures for the DaemonSet controller's tests. */

export function nodeFixture(name: string, f: { labels?: Record<string, string>; taints?: Taint[]; conditions?: Array<{ type: string; status: string }> } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...f.labels } },
    spec: f.taints ? { taints: f.taints } : {},
    status: { conditions: f.conditions ?? [{ type: 'Ready', status: 'True' }] },
  };
}

export interface DaemonSetFixture {
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  nodeName?: string;
  image?: string;
  updateStrategy?: DaemonSet['spec']['updateStrategy'];
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  generation?: number;
  status?: DaemonSet['status'];
}

export function daemonSetFixture(name: string, f: DaemonSetFixture = {}): DaemonSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: f.generation ?? 1, creationTimestamp: '2026-01-01T00:00:00Z' },
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

export interface DaemonPodFixture {
  node: string;
  hash?: string;
  /** Bound to its node (spec.nodeName) rather than only pinned by affinity. */
  bound?: boolean;
  phase?: string;
  readySince?: string;
  created?: string;
  deleting?: boolean;
  owner?: DaemonSet;
  labels?: Record<string, string>;
}

/** A daemon pod as the controller makes it, pinned to `node` by node affinity. */
export function daemonPodFixture(name: string, f: DaemonPodFixture): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: f.created ?? '2026-01-01T00:00:00Z',
      labels: { ...(f.labels ?? { app: 'ds' }), ...(f.hash ? { 'controller-revision-hash': f.hash } : {}) },
      ...(f.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      ...(f.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: f.owner.metadata.name!, uid: f.owner.metadata.uid!, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: {
      ...(f.bound ? { nodeName: f.node } : {}),
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [f.node] }] }] } } },
    },
    status: {
      phase: f.phase ?? 'Pending',
      ...(f.readySince ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: f.readySince }] } : {}),
    },
  };
}

/** Writes a pod's status as the kubelet would: Running and Ready since `since`. */
export function markReady(env: TestEnv, pod: KubeObject, since: string): void {
  env.server.write(Resources.pods, 'MODIFIED', { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] } });
}

