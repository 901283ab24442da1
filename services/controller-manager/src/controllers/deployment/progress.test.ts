import type { DeploymentCondition } from './conditions';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import type { DeploymentStatus } from './conditions';
import { calculateStatus, progressCheckAfter, rolloutStatus, sameStatus } from './progress';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const T = at(NOW);

const d = (f: { replicas?: number; generation?: number; status?: DeploymentStatus; deadline?: number } = {}): KubeObject => ({
  metadata: { name: 'web', generation: f.generation ?? 1 },
  spec: { replicas: f.replicas ?? 3, progressDeadlineSeconds: f.deadline ?? 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
  status: (f.status ?? {}) as Record<string, unknown>,
});
const rs = (name: string, replicas: number, ready: number, available: number, conditions?: object[]): KubeObject => ({
  metadata: { name },
  spec: { replicas },
  status: { replicas, readyReplicas: ready, availableReplicas: available, ...(conditions ? { conditions } : {}) },
});
const progressing = (reason: string, lastUpdate = T, status: DeploymentCondition['status'] = 'True'): DeploymentCondition => ({ type: 'Progressing', status, reason, lastUpdateTime: lastUpdate, lastTransitionTime: lastUpdate });

describe('calculateStatus', () => {
  it('counts from the ReplicaSets; Available with spec.replicas − maxUnavailable available', () => {
    const newRS = rs('web-new', 1, 1, 1);
    expect(calculateStatus([rs('web-old', 3, 3, 3), newRS], newRS, d({ generation: 4 }), NOW)).toEqual({
      observedGeneration: 4,
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 4,
      availableReplicas: 4,
      conditions: [{ type: 'Available', status: 'True', lastUpdateTime: T, lastTransitionTime: T, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }],
    });
  });

  it('not enough available: MinimumReplicasUnavailable, and the unavailable count', () => {
    const newRS = rs('web-new', 3, 1, 1);
    expect(calculateStatus([newRS], newRS, d(), NOW)).toMatchObject({
      unavailableReplicas: 2,
      conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }],
    });
  });
});

describe('rolloutStatus: the Progressing condition', () => {
  const earlier = at(NOW - 60_000);
  it.each<[string, KubeObject, KubeObject[], object | undefined]>([
    ['complete: NewReplicaSetAvailable', d({ status: { conditions: [progressing('ReplicaSetUpdated', earlier)] } }), [rs('web-new', 3, 3, 3)], { status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-new" has successfully progressed.', lastTransitionTime: earlier, lastUpdateTime: T }],
    ['progress: ReplicaSetUpdated, lastUpdateTime moves', d({ status: { replicas: 3, updatedReplicas: 0, conditions: [progressing('NewReplicaSetCreated', earlier)] } }), [rs('web-new', 1, 0, 0), rs('web-old', 3, 3, 3)], { status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.', lastTransitionTime: earlier, lastUpdateTime: T }],
    ['no progress, within the deadline: unchanged', d({ status: { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, conditions: [progressing('ReplicaSetUpdated', earlier)] } }), [rs('web-new', 1, 0, 0), rs('web-old', 3, 3, 3)], progressing('ReplicaSetUpdated', earlier)],
    ['no progress past the deadline: ProgressDeadlineExceeded', d({ status: { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, conditions: [progressing('ReplicaSetUpdated', at(NOW - 601_000))] } }), [rs('web-new', 1, 0, 0), rs('web-old', 3, 3, 3)], { status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-new" has timed out progressing.', lastTransitionTime: T, lastUpdateTime: T }],
    ['a completed rollout stays so', d({ status: { replicas: 3, updatedReplicas: 3, conditions: [progressing('NewReplicaSetAvailable', earlier)] } }), [rs('web-new', 3, 3, 3)], progressing('NewReplicaSetAvailable', earlier)],
    ['no deadline: no Progressing condition', d({ deadline: 2 ** 31 - 1, status: { conditions: [progressing('ReplicaSetUpdated', earlier)] } }), [rs('web-new', 3, 3, 3)], undefined],
  ])('%s', (_name, deployment, replicaSets, want) => {
    const status = rolloutStatus(replicaSets, replicaSets[0], deployment, NOW);
    const condition = status.conditions?.find((c) => c.type === 'Progressing');
    if (want === undefined) expect(condition).toBeUndefined();
    else expect(condition).toEqual({ type: 'Progressing', ...want });
  });

  it('carries a ReplicaSet ReplicaFailure over, and drops it when gone', () => {
    const failure = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden', lastTransitionTime: T };
    const status = rolloutStatus([rs('web-new', 3, 0, 0, [failure])], rs('web-new', 3, 0, 0, [failure]), d(), NOW);
    expect(status.conditions?.find((c) => c.type === 'ReplicaFailure')).toEqual({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden', lastTransitionTime: T, lastUpdateTime: T });
    const cleared = rolloutStatus([rs('web-new', 3, 0, 0)], rs('web-new', 3, 0, 0), d({ status }), NOW);
    expect(cleared.conditions?.find((c) => c.type === 'ReplicaFailure')).toBeUndefined();
  });
});

describe('progressCheckAfter (requeueStuckDeployment)', () => {
  const stalled: DeploymentStatus = { replicas: 4, updatedReplicas: 1, availableReplicas: 3 };
  it.each<[string, KubeObject, number | undefined]>([
    ['at the deadline, from the last update', d({ status: { conditions: [progressing('ReplicaSetUpdated', at(NOW - 100_000))] } }), 500_000],
    ['deadline (nearly) passed: now', d({ status: { conditions: [progressing('ReplicaSetUpdated', at(NOW - 599_500))] } }), 0],
    ['already timed out: never', d({ status: { conditions: [progressing('ProgressDeadlineExceeded', at(NOW - 700_000), 'False')] } }), undefined],
    ['no Progressing condition: never', d(), undefined],
  ])('%s', (_name, deployment, want) => {
    expect(progressCheckAfter(deployment, stalled, NOW)).toBe(want);
  });
});

describe('sameStatus', () => {
  it('a missing count is 0', () => {
    expect(sameStatus({ replicas: 0, observedGeneration: 2 }, { observedGeneration: 2 })).toBe(true);
    expect(sameStatus({ replicas: 1 }, {})).toBe(false);
  });
});
