import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, newRSNewReplicas, proportion } from './replica-sets';

const template = (image: string, hash?: string) => ({ metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'web', image }] } });
const d = (replicas: number, image = 'nginx:1.25', strategy: object = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }): KubeObject => ({
  metadata: { name: 'web' },
  spec: { replicas, strategy, template: template(image) },
});
const rs = (name: string, replicas: number, f: { image?: string; created?: string; maxReplicas?: number } = {}): KubeObject => ({
  metadata: { name, uid: `uid-${name}`, creationTimestamp: f.created ?? '2026-01-01T00:00:00Z', ...(f.maxReplicas !== undefined ? { annotations: { 'deployment.kubernetes.io/max-replicas': String(f.maxReplicas) } } : {}) },
  spec: { replicas, template: template(f.image ?? 'nginx:1.24', name) },
});

describe('findNewReplicaSet / findOldReplicaSets', () => {
  it('the new one has the Deployment template, the pod-template-hash label aside; the oldest such if several', () => {
    const list = [rs('web-b', 1, { image: 'nginx:1.25', created: '2026-01-02T00:00:00Z' }), rs('web-old', 3), rs('web-a', 0, { image: 'nginx:1.25', created: '2026-01-01T10:00:00Z' })];
    expect(findNewReplicaSet(d(3), list)?.metadata.name).toBe('web-a');
    expect(findOldReplicaSets(d(3), list).map((r) => r.metadata.name)).toEqual(['web-old', 'web-b']);
    expect(findNewReplicaSet(d(3, 'nginx:1.26'), list)).toBeUndefined();
  });
});

describe('findActiveOrLatest', () => {
  it.each<[string, KubeObject | undefined, KubeObject[], string | undefined]>([
    ['nothing', undefined, [], undefined],
    ['the only active one', rs('new', 0), [rs('old', 2)], 'old'],
    ['none active: the new one', rs('new', 0), [rs('old', 0)], 'new'],
    ['none active and no new one: the newest old one', undefined, [rs('older', 0, { created: '2026-01-01T00:00:00Z' }), rs('newer', 0, { created: '2026-01-02T00:00:00Z' })], 'newer'],
    ['several active: none', rs('new', 1), [rs('old', 2)], undefined],
  ])('%s', (_name, newRS, oldRSs, want) => {
    expect(findActiveOrLatest(newRS, oldRSs)?.metadata.name).toBe(want);
  });
});

describe('newRSNewReplicas', () => {
  it.each<[string, KubeObject, number, number[], number]>([
    // Deployment, new RS replicas, old RSs' replicas → new RS replicas now
    ['3 replicas, 25%: one surge pod', d(3), 0, [3], 1],
    ['already at spec.replicas + maxSurge', d(3), 1, [3], 1],
    ['room for two', d(3), 1, [1], 3],
    ['never past spec.replicas', d(3), 2, [0], 3],
    ['10 replicas, 25%: three surge pods', d(10), 0, [10], 3],
    ['a fresh Deployment: all at once', d(4), 0, [], 4],
    ['Recreate: all at once', d(3, 'nginx:1.25', { type: 'Recreate' }), 0, [3], 3],
  ])('%s', (_name, deployment, newReplicas, oldReplicas, want) => {
    const newRS = rs('new', newReplicas, { image: 'nginx:1.25' });
    expect(newRSNewReplicas(deployment, [newRS, ...oldReplicas.map((n, i) => rs(`old-${i}`, n))], newRS)).toBe(want);
  });
});

describe('proportion', () => {
  it.each<[string, number, number, number, number, number, number]>([
    // replicas, max-replicas annotation, deployment replicas, toAdd, added → share
    ['scale up from 4 to 8 pods: a quarter of 4', 1, 4, 6, 4, 0, 1],
    ['scale up: three quarters, capped by what is left', 3, 4, 6, 4, 3, 1],
    ['scale down to zero: all of it', 3, 4, 0, -4, 0, -3],
    ['scale down from 8 to 5 pods: 3 × 5/8 = 1.875 rounds to 2', 3, 8, 4, -3, 0, -1],
    ['scale down: 3 × 5/6 = 2.5 rounds up to 3, nothing to take', 3, 6, 4, -1, 0, 0],
  ])('%s', (_name, replicas, maxReplicas, deploymentReplicas, toAdd, added, want) => {
    expect(proportion(rs('r', replicas, { maxReplicas }), d(deploymentReplicas), toAdd, added)).toBe(want);
  });
});
