import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { calculateStatus, statusUpToDate } from './replica-set-status';
import { podFixture } from '../../controller/testing-objects';
import { replicaSetFixture } from '../../controller/testing-workloads';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('calculateStatus', () => {
  const rs = replicaSetFixture('web', { replicas: 3, labels: { app: 'web' }, minReadySeconds: 30, template: { metadata: { labels: { app: 'web', tier: 'front' } } } });

  it.each<[string, KubeObject[], object]>([
    ['no pods', [], { replicas: 0 }],
    ['pending pods', [podFixture('a'), podFixture('b')], { replicas: 2 }],
    ['fully labeled: every template label', [podFixture('a', { labels: { app: 'web', tier: 'front' } }), podFixture('b')], { replicas: 2, fullyLabeledReplicas: 1 }],
    ['ready, not yet available', [podFixture('a', { readySince: ago(10) })], { replicas: 1, readyReplicas: 1 }],
    ['ready for minReadySeconds: available', [podFixture('a', { readySince: ago(31) }), podFixture('b', { readySince: ago(10) })], { replicas: 2, readyReplicas: 2, availableReplicas: 1 }],
  ])('%s', (_name, pods, expected) => {
    expect(calculateStatus(rs, pods, undefined, NOW)).toEqual(expected);
  });

  it('adds ReplicaFailure on a failed create, keeps it while failing, drops it once a sync succeeds', () => {
    const failing = calculateStatus(rs, [podFixture('a')], new Error('pods "web-x" is forbidden: exceeded quota'), NOW);
    expect(failing.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-01T12:00:00Z', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota' }]);
    const withCondition = { ...rs, status: failing as unknown as Record<string, unknown> };
    expect(calculateStatus(withCondition, [podFixture('a')], new Error('again'), NOW + 1000).conditions).toEqual(failing.conditions);
    expect(calculateStatus(withCondition, [podFixture('a')], undefined, NOW).conditions).toBeUndefined();
  });

  it('FailedDelete when there are too many pods', () => {
    const one = replicaSetFixture('web', { replicas: 1 });
    expect(calculateStatus(one, [podFixture('a'), podFixture('b')], new Error('boom'), NOW).conditions?.[0]?.reason).toBe('FailedDelete');
  });
});

describe('statusUpToDate', () => {
  it('wants a write when a count or the observed generation is behind', () => {
    const rs = replicaSetFixture('web', { generation: 2, status: { replicas: 1, readyReplicas: 1, observedGeneration: 2 } });
    expect(statusUpToDate(rs, { replicas: 1, readyReplicas: 1 })).toBe(true);
    expect(statusUpToDate(rs, { replicas: 1 })).toBe(false);
    expect(statusUpToDate({ ...rs, metadata: { ...rs.metadata, generation: 3 } }, { replicas: 1, readyReplicas: 1 })).toBe(false);
  });
});
