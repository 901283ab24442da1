import { describe, expect, it } from 'vitest';
import { getEndOrdinal, getStartOrdinal, identityMatches, isMemberOf, newStatefulSetPod, newVersionedStatefulSetPod, parentNameAndOrdinal, podInOrdinalRange } from './stateful-pod';
import { applyRevision, newRevision } from './stateful-set-revisions';
import { statefulSetFixture } from '../../controller/testing-workloads';
import type { Pod, StatefulSetSpec } from './types';

const named = (name: string, labels: Record<string, string> = {}): Pod => ({ metadata: { name, namespace: 'default', labels } });

describe('ordinals', () => {
  it.each<{ name: string; parent: string; ordinal: number }>([
    { name: 'web-0', parent: 'web', ordinal: 0 },
    { name: 'web-12', parent: 'web', ordinal: 12 },
    { name: 'my-web-3', parent: 'my-web', ordinal: 3 },
    { name: 'web-1-2', parent: 'web-1', ordinal: 2 },
    { name: 'web', parent: '', ordinal: -1 },
    { name: 'web-x', parent: '', ordinal: -1 },
    { name: 'web-', parent: '', ordinal: -1 },
    { name: 'web-99999999999', parent: 'web', ordinal: -1 },
  ])('$name has parent "$parent" and ordinal $ordinal', ({ name, parent, ordinal }) => {
    expect(parentNameAndOrdinal(named(name))).toEqual({ parent, ordinal });
  });

  it.each<{ spec: Partial<StatefulSetSpec>; start: number; end: number; inRange: string[] }>([
    { spec: { replicas: 3 }, start: 0, end: 2, inRange: ['web-0', 'web-1', 'web-2'] },
    { spec: { replicas: 0 }, start: 0, end: -1, inRange: [] },
    { spec: { replicas: 2, ordinals: { start: 5 } }, start: 5, end: 6, inRange: ['web-5', 'web-6'] },
  ])('range of $spec', ({ spec, start, end, inRange }) => {
    const set = statefulSetFixture('web', spec);
    expect([getStartOrdinal(set), getEndOrdinal(set)]).toEqual([start, end]);
    const names = Array.from({ length: 10 }, (_, i) => `web-${i}`);
    expect(names.filter((n) => podInOrdinalRange(named(n), set))).toEqual(inRange);
  });

  it.each<{ pod: string; member: boolean }>([
    { pod: 'web-0', member: true },
    { pod: 'web-7', member: true },
    { pod: 'webby-0', member: false },
    { pod: 'web-abc', member: false },
    { pod: 'web', member: false },
  ])('$pod is a member of web: $member', ({ pod, member }) => {
    expect(isMemberOf(statefulSetFixture('web'), named(pod))).toBe(member);
  });
});

describe('newStatefulSetPod', () => {
  it('gives the pod its stable identity: name, labels, hostname and subdomain', () => {
    const pod = newStatefulSetPod(statefulSetFixture('web'), 2);
    expect(pod.metadata).toMatchObject({
      name: 'web-2',
      generateName: 'web-',
      namespace: 'default',
      labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec).toMatchObject({ hostname: 'web-2', subdomain: 'nginx' });
    expect(identityMatches(statefulSetFixture('web'), pod)).toBe(true);
  });

  it('has no subdomain without a serviceName', () => {
    expect(newStatefulSetPod(statefulSetFixture('web', { serviceName: undefined }), 0).spec).not.toHaveProperty('subdomain');
  });

  it.each<{ name: string; pod: Pod; matches: boolean }>([
    { name: 'without the pod-name label', pod: named('web-0'), matches: false },
    { name: 'with a wrong pod-name label', pod: named('web-0', { 'statefulset.kubernetes.io/pod-name': 'web-1' }), matches: false },
    { name: 'of another set', pod: named('db-0', { 'statefulset.kubernetes.io/pod-name': 'db-0' }), matches: false },
    { name: 'with the label', pod: named('web-0', { 'statefulset.kubernetes.io/pod-name': 'web-0' }), matches: true },
  ])('identity $name: $matches', ({ pod, matches }) => {
    expect(identityMatches(statefulSetFixture('web'), pod)).toBe(matches);
  });
});

describe('newVersionedStatefulSetPod', () => {
  const current = statefulSetFixture('web');
  const update = statefulSetFixture('web', { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } });

  it.each<{ name: string; strategy: StatefulSetSpec['updateStrategy']; currentReplicas?: number; want: string[] }>([
    { name: 'RollingUpdate, partition 0: all at the update revision', strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, want: ['update', 'update', 'update', 'update'] },
    { name: 'RollingUpdate, partition 2: below 2 at the current revision', strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, want: ['current', 'current', 'update', 'update'] },
    { name: 'RollingUpdate without rollingUpdate: below currentReplicas at the current revision', strategy: { type: 'RollingUpdate' }, currentReplicas: 3, want: ['current', 'current', 'current', 'update'] },
    { name: 'OnDelete: all at the update revision', strategy: { type: 'OnDelete' }, currentReplicas: 3, want: ['update', 'update', 'update', 'update'] },
  ])('$name', ({ strategy, currentReplicas, want }) => {
    const currentSet = { ...current, spec: { ...current.spec, updateStrategy: strategy }, status: { currentReplicas } };
    const pods = [0, 1, 2, 3].map((ordinal) => newVersionedStatefulSetPod(currentSet, { ...update, spec: { ...update.spec, updateStrategy: strategy } }, 'current', 'update', ordinal));
    expect(pods.map((p) => p.metadata.labels?.['controller-revision-hash'])).toEqual(want);
    for (const pod of pods) {
      const image = (pod.spec?.containers as Array<{ image: string }>)[0]!.image;
      expect(image).toBe(pod.metadata.labels?.['controller-revision-hash'] === 'current' ? 'nginx:1.27' : 'nginx:1.28');
    }
  });
});

describe('revisions', () => {
  it('names a revision after the set and the hash of its template, which a collision count changes', () => {
    const set = statefulSetFixture('web');
    const a = newRevision(set, 1, 0);
    expect(a.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(a.metadata.labels).toMatchObject({ app: 'web', 'controller.kubernetes.io/hash': a.metadata.name!.slice(4) });
    expect(a.data).toEqual({ spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
    expect(newRevision(set, 2, 0).metadata.name).toBe(a.metadata.name);
    expect(newRevision(set, 1, 1).metadata.name).not.toBe(a.metadata.name);
  });

  it('applying a revision restores its template', () => {
    const old = statefulSetFixture('web');
    const now = statefulSetFixture('web', { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } });
    expect(applyRevision(now, newRevision(old, 1, 0)).spec.template).toEqual(old.spec.template);
  });
});
