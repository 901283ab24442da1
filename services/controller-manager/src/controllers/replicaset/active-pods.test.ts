import { describe, expect, it } from 'vitest';
import { deletesBefore, deletionCost, podsToDelete, type RankedPod } from './active-pods';
import { podFixture, type PodFixture } from '../../controller/testing-objects';

const NOW = Date.parse('2026-01-01T12:00:00Z');
/** A time `seconds` before NOW. */
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const ranked = (name: string, f: PodFixture, rank = 0): RankedPod => ({ pod: podFixture(name, f), rank });

const running = { nodeName: 'node-1', phase: 'Running' };
const ready = { ...running, readySince: ago(600) };

describe('deletesBefore (ActivePodsWithRanks.Less)', () => {
  // Each row: the first pod must go before the second, and not the other way round.
  it.each<[string, RankedPod, RankedPod]>([
    ['unassigned before assigned', ranked('a', { phase: 'Pending' }), ranked('b', { nodeName: 'node-1', phase: 'Pending' })],
    ['unassigned before assigned, whatever the phase', ranked('a', { phase: 'Running' }), ranked('b', { nodeName: 'node-1', phase: 'Pending' })],
    ['Pending before Unknown', ranked('a', { nodeName: 'node-1', phase: 'Pending' }), ranked('b', { nodeName: 'node-1', phase: 'Unknown' })],
    ['Unknown before Running', ranked('a', { nodeName: 'node-1', phase: 'Unknown' }), ranked('b', running)],
    ['not ready before ready', ranked('a', running), ranked('b', ready)],
    ['lower deletion cost first', ranked('a', { ...ready, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-5' } }), ranked('b', ready)],
    ['deletion cost before rank', ranked('a', { ...ready, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '1' } }, 1), ranked('b', { ...ready, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '2' } }, 5)],
    ['doubled up (higher rank) first', ranked('a', ready, 3), ranked('b', ready, 1)],
    ['ready for less time first', ranked('a', { ...running, readySince: ago(10) }), ranked('b', { ...running, readySince: ago(3600) })],
    ['ready time before restarts', ranked('a', { ...running, readySince: ago(10) }), ranked('b', { ...running, readySince: ago(3600), restarts: 9 })],
    ['more restarts first', ranked('a', { ...ready, restarts: 3 }), ranked('b', { ...ready, restarts: 1 })],
    ['newer first', ranked('a', { ...ready, created: ago(60) }), ranked('b', { ...ready, created: ago(86_400) })],
    ['no creation time first', ranked('a', { ...ready, created: '' }), ranked('b', { ...ready, created: ago(60) })],
    // 100 s and 120 s old fall in the same log2 bucket: the uid decides, not the age.
    ['same age bucket: lower uid first', ranked('a', { ...ready, created: ago(120), uid: 'uid-1' }), ranked('b', { ...ready, created: ago(100), uid: 'uid-2' })],
  ])('%s', (_name, first, second) => {
    expect(deletesBefore(first, second, NOW)).toBe(true);
    expect(deletesBefore(second, first, NOW)).toBe(false);
  });

  it('equal pods: neither goes first', () => {
    expect(deletesBefore(ranked('a', ready), ranked('a', ready), NOW)).toBe(false);
  });
});

describe('podsToDelete', () => {
  it('ranks by the related pods on the same node, then picks the first `diff`', () => {
    const pods = [podFixture('alone', { ...ready, nodeName: 'node-1' }), podFixture('crowded', { ...ready, nodeName: 'node-2' }), podFixture('pending', { nodeName: 'node-1', phase: 'Pending' })];
    // Another ReplicaSet of the same Deployment has two more pods on node-2.
    const related = [...pods, podFixture('other-1', { ...ready, nodeName: 'node-2' }), podFixture('other-2', { ...ready, nodeName: 'node-2' })];
    expect(podsToDelete(pods, related, 2, NOW).map((p) => p.metadata.name)).toEqual(['pending', 'crowded']);
  });

  it('takes everything without sorting when all must go', () => {
    const pods = [podFixture('a', ready), podFixture('b')];
    expect(podsToDelete(pods, pods, 2, NOW).map((p) => p.metadata.name)).toEqual(['a', 'b']);
  });
});

describe('deletionCost', () => {
  it.each([
    ['100', 100],
    ['-7', -7],
    ['0', 0],
    ['+10', 0],
    ['008', 0],
    ['2147483648', 0],
    ['abc', 0],
  ])('%s → %d', (value, cost) => {
    expect(deletionCost(podFixture('p', { annotations: { 'controller.kubernetes.io/pod-deletion-cost': value } }))).toBe(cost);
  });
});
