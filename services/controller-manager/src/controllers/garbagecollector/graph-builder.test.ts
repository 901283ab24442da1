import type { KubeObject } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import type { OwnerReference } from '@kubelab/apimachinery';
import { AbsentOwnerCache } from './absent-owner-cache';
import { GraphBuilder, referencesDiffs } from './graph-builder';
import { GARBAGE_COLLECTED_RESOURCES } from './resources';

const [podsResource, rsResource] = [GARBAGE_COLLECTED_RESOURCES.find((r) => r.kind === 'Pod')!, GARBAGE_COLLECTED_RESOURCES.find((r) => r.kind === 'ReplicaSet')!];

const ref = (uid: string, blockOwnerDeletion = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true, blockOwnerDeletion });
const rs = (uid: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: `rs-${uid}`, namespace: 'default', uid, ...meta } });
const pod = (uid: string, owners: OwnerReference[]): KubeObject => ({ metadata: { name: `pod-${uid}`, namespace: 'default', uid, ownerReferences: owners } });
const deleting = (finalizer: string) => ({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: [finalizer] });

type Step = { resource: 'pods' | 'replicasets'; event: 'add' | 'update' | 'delete'; object: KubeObject; old?: KubeObject };

function build(steps: Step[]): { deletes: string[]; orphans: string[]; graph: GraphBuilder } {
  const deletes: string[] = [];
  const orphans: string[] = [];
  const graph = new GraphBuilder((n) => deletes.push(n.uid), (n) => orphans.push(n.uid), new AbsentOwnerCache());
  const handlers = { pods: graph.handlerFor(podsResource), replicasets: graph.handlerFor(rsResource) };
  for (const step of steps) {
    const handler = handlers[step.resource];
    if (step.event === 'add') handler.onAdd!(step.object, false);
    if (step.event === 'update') handler.onUpdate!(step.old!, step.object);
    if (step.event === 'delete') handler.onDelete!(step.object);
  }
  return { deletes, orphans, graph };
}

describe('GraphBuilder', () => {
  const owner: Step = { resource: 'replicasets', event: 'add', object: rs('r1') };
  const dependent: Step = { resource: 'pods', event: 'add', object: pod('p1', [ref('r1')]) };

  it.each<[string, Step[], { deletes: string[]; orphans: string[] }]>([
    ['an owner seen before its dependent: nothing to check', [owner, dependent], { deletes: [], orphans: [] }],
    ['a dependent whose owner no informer has shown: the virtual owner is checked', [dependent], { deletes: ['r1'], orphans: [] }],
    ['the owner shown after its dependent: only the first check', [dependent, owner], { deletes: ['r1'], orphans: [] }],
    ['the owner deleted: its dependents are checked', [owner, dependent, { resource: 'replicasets', event: 'delete', object: rs('r1') }], { deletes: ['p1'], orphans: [] }],
    [
      'foreground deletion starts: the dependents, then the owner',
      [owner, dependent, { resource: 'replicasets', event: 'update', old: rs('r1'), object: rs('r1', deleting('foregroundDeletion')) }],
      { deletes: ['p1', 'r1'], orphans: [] },
    ],
    [
      'an update of an owner already deleting in the foreground: no new transition',
      [owner, dependent, { resource: 'replicasets', event: 'update', old: rs('r1', deleting('foregroundDeletion')), object: rs('r1', { ...deleting('foregroundDeletion'), labels: { a: 'b' } }) }],
      { deletes: [], orphans: [] },
    ],
    ['orphan deletion starts: the owner is orphaned', [owner, dependent, { resource: 'replicasets', event: 'update', old: rs('r1'), object: rs('r1', deleting('orphan')) }], { deletes: [], orphans: ['r1'] }],
    ['a blocking reference removed: the owner may be unblocked', [owner, dependent, { resource: 'pods', event: 'update', old: pod('p1', [ref('r1')]), object: pod('p1', []) }], { deletes: ['r1'], orphans: [] }],
    ['a non-blocking reference removed: nothing', [owner, { ...dependent, object: pod('p1', [ref('r1', false)]) }, { resource: 'pods', event: 'update', old: pod('p1', [ref('r1', false)]), object: pod('p1', []) }], { deletes: [], orphans: [] }],
    [
      'a reference unblocked: the owner may be unblocked',
      [owner, dependent, { resource: 'pods', event: 'update', old: pod('p1', [ref('r1')]), object: pod('p1', [ref('r1', false)]) }],
      { deletes: ['r1'], orphans: [] },
    ],
    [
      'a dependent deleted while its owner deletes in the foreground: the owner is checked again',
      [owner, dependent, { resource: 'replicasets', event: 'update', old: rs('r1'), object: rs('r1', deleting('foregroundDeletion')) }, { resource: 'pods', event: 'delete', object: pod('p1', [ref('r1')]) }],
      { deletes: ['p1', 'r1', 'r1'], orphans: [] },
    ],
  ])('%s', (_name, steps, expected) => {
    const { deletes, orphans } = build(steps);
    expect({ deletes, orphans }).toEqual(expected);
  });

  it('links owners and dependents both ways, and unlinks them', () => {
    const { graph } = build([owner, dependent]);
    expect([...graph.node('r1')!.dependents].map((n) => n.uid)).toEqual(['p1']);
    expect(graph.node('r1')!.blockingDependents().map((n) => n.uid)).toEqual(['p1']);
    const after = build([owner, dependent, { resource: 'pods', event: 'delete', object: pod('p1', [ref('r1')]) }]).graph;
    expect(after.node('r1')!.dependents.size).toBe(0);
    expect(after.node('p1')).toBeUndefined();
  });

  it('a virtual owner becomes a real node when its informer shows it', () => {
    const { graph } = build([dependent]);
    expect(graph.node('r1')!.virtual).toBe(true);
    expect(build([dependent, owner]).graph.node('r1')!.virtual).toBe(false);
  });
});

describe('referencesDiffs', () => {
  it.each<[string, OwnerReference[], OwnerReference[], { added: string[]; removed: string[]; changed: string[] }]>([
    ['nothing changed', [ref('a')], [ref('a')], { added: [], removed: [], changed: [] }],
    ['one added, one removed', [ref('a')], [ref('b')], { added: ['b'], removed: ['a'], changed: [] }],
    ['blockOwnerDeletion flipped', [ref('a')], [ref('a', false)], { added: [], removed: [], changed: ['a'] }],
  ])('%s', (_name, old, now, expected) => {
    const d = referencesDiffs(old, now);
    expect({ added: d.added.map((r) => r.uid), removed: d.removed.map((r) => r.uid), changed: d.changed.map((c) => c.now.uid) }).toEqual(expected);
  });
});
