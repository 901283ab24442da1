import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '@kubelab/client';
import { labelSelectorAsSelector } from '@kubelab/apimachinery';
import { ControllerHistory, controllerRevisionName, equalRevision, fnv32, hashControllerRevision, newControllerRevision, sortControllerRevisions, type ControllerRevision } from './controller-history';
import { caughtUp, startController, testEnv, type TestEnv } from './testing';

const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-web' } };
const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true };
const revision = (name: string, number: number, f: { created?: string; data?: unknown; hash?: string; owner?: string } = {}): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: {
    name,
    namespace: 'default',
    creationTimestamp: f.created ?? '2026-01-01T00:00:00Z',
    labels: { app: 'web', ...(f.hash ? { 'controller.kubernetes.io/hash': f.hash } : {}) },
    ...(f.owner ? { ownerReferences: [{ ...ref, uid: f.owner }] } : {}),
  },
  data: f.data ?? { v: name },
  revision: number,
});

describe('hashing and naming', () => {
  it.each<{ input: string; want: number }>([
    { input: '', want: 0x811c9dc5 },
    { input: 'a', want: 0x050c5d7e },
    { input: 'foobar', want: 0x31f0b262 },
  ])('FNV-1 of "$input"', ({ input, want }) => {
    expect(fnv32(0x811c9dc5, Buffer.from(input))).toBe(want);
  });

  it('hashes data regardless of key order, and the probe changes it', () => {
    expect(hashControllerRevision({ a: 1, b: 2 })).toBe(hashControllerRevision({ b: 2, a: 1 }));
    expect(hashControllerRevision({ a: 1 }, 1)).not.toBe(hashControllerRevision({ a: 1 }, 0));
    expect(hashControllerRevision({ a: 1 })).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('cuts a long prefix to 223 characters', () => {
    expect(controllerRevisionName('x'.repeat(300), 'abc')).toBe(`${'x'.repeat(223)}-abc`);
  });

  it('labels a new revision with the template labels and its hash', () => {
    const cr = newControllerRevision(owner, ref, { app: 'web' }, { v: 1 }, 4, 0);
    expect(cr).toMatchObject({ metadata: { name: `web-${hashControllerRevision({ v: 1 }, 0)}`, labels: { app: 'web', 'controller.kubernetes.io/hash': hashControllerRevision({ v: 1 }, 0) }, ownerReferences: [ref] }, revision: 4 });
  });
});

describe('ordering and equality', () => {
  it('sorts by revision, then creation time, then name', () => {
    const sorted = sortControllerRevisions([revision('c', 2), revision('b', 1, { created: '2026-01-01T00:00:05Z' }), revision('a', 1, { created: '2026-01-01T00:00:05Z' }), revision('z', 1)]);
    expect(sorted.map((r) => r.metadata.name)).toEqual(['z', 'a', 'b', 'c']);
  });

  it.each<{ name: string; a?: ControllerRevision; b?: ControllerRevision; equal: boolean }>([
    { name: 'same data', a: revision('a', 1, { data: { x: [1] } }), b: revision('b', 2, { data: { x: [1] } }), equal: true },
    { name: 'other data', a: revision('a', 1, { data: { x: 1 } }), b: revision('b', 1, { data: { x: 2 } }), equal: false },
    { name: 'safe-encoded hash labels are not compared', a: revision('a', 1, { data: { x: 1 }, hash: 'bcd' }), b: revision('b', 1, { data: { x: 1 }, hash: 'xyz' }), equal: true },
    { name: 'integer hash labels that differ', a: revision('a', 1, { data: { x: 1 }, hash: '245' }), b: revision('b', 1, { data: { x: 1 }, hash: '246' }), equal: false },
    { name: 'both missing', equal: true },
    { name: 'one missing', a: revision('a', 1), equal: false },
  ])('$name', ({ a, b, equal }) => {
    expect(equalRevision(a, b)).toBe(equal);
  });
});

describe('ControllerHistory', () => {
  let env: TestEnv;
  afterEach(async () => env?.close());

  async function history(...revisions: ControllerRevision[]): Promise<ControllerHistory> {
    env = await testEnv();
    return startController(
      env,
      (ctx) => new ControllerHistory(ctx.client, ctx.informers.informer<ControllerRevision>(Resources.controllerrevisions).indexer),
      revisions.map((r) => [Resources.controllerrevisions, r]),
    );
  }

  it("lists the owner's revisions and orphans its selector matches, not another owner's", async () => {
    const h = await history(revision('mine', 1, { owner: 'uid-web' }), revision('orphan', 2), revision('theirs', 3, { owner: 'uid-other' }), { ...revision('unselected', 4), metadata: { ...revision('unselected', 4).metadata, labels: { app: 'db' } } });
    expect(h.listControllerRevisions(owner, labelSelectorAsSelector({ matchLabels: { app: 'web' } })).map((r) => r.metadata.name).sort()).toEqual(['mine', 'orphan']);
  });

  it('creates under the next name when the name is taken by other data, and returns the collision count that worked', async () => {
    const wanted = newControllerRevision(owner, ref, { app: 'web' }, { v: 'new' }, 2, 0);
    const squatter = revision(wanted.metadata.name!, 1, { data: { v: 'old' } });
    const h = await history(squatter);
    const { revision: created, collisionCount } = await h.createControllerRevision(owner, wanted, 0);
    expect(collisionCount).toBe(1);
    expect(created.metadata.name).toBe(controllerRevisionName('web', hashControllerRevision({ v: 'new' }, 1)));
    expect(created.data).toEqual({ v: 'new' });
  });

  it('returns the existing revision when the name is taken by the same data', async () => {
    const wanted = newControllerRevision(owner, ref, { app: 'web' }, { v: 'new' }, 2, 0);
    const h = await history({ ...wanted, metadata: { ...wanted.metadata, uid: 'uid-existing' } });
    const { revision: found, collisionCount } = await h.createControllerRevision(owner, wanted, 0);
    expect({ uid: found.metadata.uid, collisionCount }).toEqual({ uid: 'uid-existing', collisionCount: 0 });
  });

  it('adopts an orphan, renumbers, releases and deletes', async () => {
    const h = await history(revision('orphan', 1));
    const adopted = await h.adoptControllerRevision(ref, env.objects('apps/controllerrevisions')[0] as ControllerRevision);
    expect(adopted.metadata.ownerReferences).toEqual([ref]);
    const renumbered = await h.updateControllerRevision(adopted, 7);
    expect(renumbered.revision).toBe(7);
    await h.releaseControllerRevision(owner, renumbered);
    expect(env.objects('apps/controllerrevisions')[0]!.metadata.ownerReferences ?? []).toEqual([]);
    await caughtUp(env, Resources.controllerrevisions);
    await h.deleteControllerRevision(renumbered);
    await h.deleteControllerRevision(renumbered);
    expect(env.objects('apps/controllerrevisions')).toHaveLength(0);
  });
});
