import { describe, expect, it } from 'vitest';
import { FailedPodsBackoff } from './failed-pods-backoff';
import { getUnscheduledPodsWithoutNode, podsShouldBeOnNode } from './pods-on-node';
import { nodeFixture } from '../../controller/testing-objects';
import { daemonPodFixture, daemonSetFixture, type DaemonPodFixture } from '../../controller/testing-workloads';
import type { DaemonSet } from './types';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const surge: DaemonSet['spec']['updateStrategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
const pod = (name: string, f: Partial<DaemonPodFixture> = {}) => daemonPodFixture(name, { node: 'n1', hash: 'new', ...f });

interface Case {
  name: string;
  pods?: ReturnType<typeof pod>[];
  verdict?: { shouldRun: boolean; shouldContinueRunning: boolean };
  strategy?: DaemonSet['spec']['updateStrategy'];
  createPod: boolean;
  podsToDelete: string[];
}

describe('podsShouldBeOnNode', () => {
  it.each<Case>([
    { name: 'a node that should run a pod and has none gets one', createPod: true, podsToDelete: [] },
    { name: 'a node with its pod needs nothing', pods: [pod('a')], createPod: false, podsToDelete: [] },
    { name: 'duplicates: the oldest stays', pods: [pod('b', { created: '2026-01-01T00:00:02Z' }), pod('a', { created: '2026-01-01T00:00:01Z' }), pod('c', { created: '2026-01-01T00:00:03Z' })], createPod: false, podsToDelete: ['b', 'c'] },
    { name: 'duplicates: a bound pod beats an older unbound one', pods: [pod('old', { created: '2026-01-01T00:00:01Z' }), pod('bound', { created: '2026-01-01T00:00:05Z', bound: true })], createPod: false, podsToDelete: ['old'] },
    { name: 'duplicates: same age, by name', pods: [pod('z'), pod('y')], createPod: false, podsToDelete: ['z'] },
    { name: 'a succeeded pod is deleted (and recreated next time)', pods: [pod('a', { phase: 'Succeeded' })], createPod: false, podsToDelete: ['a'] },
    { name: 'a failed pod is deleted', pods: [pod('a', { phase: 'Failed' })], createPod: false, podsToDelete: ['a'] },
    { name: 'pods being deleted are left alone', pods: [pod('a', { deleting: true }), pod('b')], createPod: false, podsToDelete: [] },
    { name: 'a node that should not run it: every pod goes', pods: [pod('a'), pod('b', { deleting: true }), pod('c')], verdict: { shouldRun: false, shouldContinueRunning: false }, createPod: false, podsToDelete: ['a', 'c'] },
    { name: 'a node where pods may stay but not be placed: nothing', pods: [pod('a')], verdict: { shouldRun: false, shouldContinueRunning: true }, createPod: false, podsToDelete: [] },
    { name: 'a node where pods may stay but not be placed, without pods: nothing', verdict: { shouldRun: false, shouldContinueRunning: true }, createPod: false, podsToDelete: [] },
    { name: 'surge: only being-deleted pods: a new one', pods: [pod('a', { deleting: true })], strategy: surge, createPod: true, podsToDelete: [] },
    { name: 'surge: old ready and new not available: both stay', pods: [pod('old', { hash: 'old', readySince: '2026-01-01T00:00:00Z' }), pod('new', { created: '2026-01-01T00:00:05Z' })], strategy: surge, createPod: false, podsToDelete: [] },
    { name: 'surge: new available: the old goes', pods: [pod('old', { hash: 'old', readySince: '2026-01-01T00:00:00Z' }), pod('new', { created: '2026-01-01T00:00:05Z', readySince: '2026-01-01T00:00:10Z' })], strategy: surge, createPod: false, podsToDelete: ['old'] },
    { name: 'surge: old not ready: the old goes', pods: [pod('old', { hash: 'old' }), pod('new', { created: '2026-01-01T00:00:05Z' })], strategy: surge, createPod: false, podsToDelete: ['old'] },
    { name: 'surge: extra old and new pods beyond the oldest of each go', pods: [pod('o1', { hash: 'old', readySince: '2026-01-01T00:00:00Z' }), pod('o2', { hash: 'old', created: '2026-01-01T00:00:01Z' }), pod('n1', { created: '2026-01-01T00:00:02Z' }), pod('n2', { created: '2026-01-01T00:00:03Z' })], strategy: surge, createPod: false, podsToDelete: ['o2', 'n2'] },
  ])('$name', ({ pods, verdict, strategy, createPod, podsToDelete }) => {
    const plan = podsShouldBeOnNode({
      node: nodeFixture('n1'),
      daemonPods: pods,
      ds: daemonSetFixture('ds', strategy ? { updateStrategy: strategy } : {}),
      hash: 'new',
      verdict: verdict ?? { shouldRun: true, shouldContinueRunning: true },
      backoff: new FailedPodsBackoff(),
      now: NOW,
    });
    expect({ createPod: plan.createPod, podsToDelete: plan.podsToDelete }).toEqual({ createPod, podsToDelete });
  });

  it('deletes a failed pod at most once per back-off, doubling it', () => {
    const backoff = new FailedPodsBackoff();
    const at = (now: number) => podsShouldBeOnNode({ node: nodeFixture('n1'), daemonPods: [pod('a', { phase: 'Failed' })], ds: daemonSetFixture('ds'), hash: 'new', verdict: { shouldRun: true, shouldContinueRunning: true }, backoff, now });
    expect(at(NOW)).toMatchObject({ podsToDelete: ['a'], failedPods: [{ metadata: { name: 'a' } }] });
    expect(at(NOW + 500)).toMatchObject({ podsToDelete: [], failedPods: [], retryAfterMs: 1_000 });
    expect(at(NOW + 1_000)).toMatchObject({ podsToDelete: ['a'] });
    expect(at(NOW + 2_500)).toMatchObject({ podsToDelete: [], retryAfterMs: 2_000 });
    expect(at(NOW + 3_000)).toMatchObject({ podsToDelete: ['a'] });
  });

  it('deletes unbound pods meant for nodes that are gone, not bound ones', () => {
    const byNode = new Map([
      ['n1', [pod('here')]],
      ['gone', [pod('unbound', { node: 'gone' }), pod('bound', { node: 'gone', bound: true })]],
    ]);
    expect(getUnscheduledPodsWithoutNode([nodeFixture('n1')], byNode)).toEqual(['unbound']);
  });
});
