import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '@kubelab/client';
import type { ControllerRevision } from '../../controller/controller-history';
import { admitNewPods, caughtUp, editSpec, markRunningReady, startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { statefulSetFixture } from '../../controller/testing-workloads';
import { StatefulSetController } from './statefulset-controller';
import type { Pod, StatefulSet, StatefulSetSpec } from './types';

const KEY = 'default/web';
const READY = '2026-01-01T00:00:00Z';
const WATCHED = [Resources.pods, Resources.statefulsets, Resources.controllerrevisions];

let env: TestEnv;
afterEach(async () => env?.close());

async function start(set: StatefulSet, pods: Pod[] = []): Promise<StatefulSetController> {
  env = await testEnv({ startMs: Date.parse('2026-01-01T01:00:00Z') });
  return startController(env, (ctx) => new StatefulSetController(ctx), [[Resources.statefulsets, set], ...pods.map((pod): Fixture => [Resources.pods, pod])]);
}

/** Reconciles; the apiserver gives new pods their Pending phase; the caches catch up. */
async function sync(controller: StatefulSetController): Promise<void> {
  await controller.reconcile(KEY);
  admitNewPods(env);
  await caughtUp(env, ...WATCHED);
}

const pods = () => (env.objects('/pods') as Pod[]).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const names = () => pods().map((p) => p.metadata.name);
const pod = (name: string) => pods().find((p) => p.metadata.name === name)!;
const set = () => env.objects('apps/statefulsets')[0] as StatefulSet;
const revisions = () => env.objects('apps/controllerrevisions') as ControllerRevision[];
const revisionOf = (p: Pod) => p.metadata.labels?.['controller-revision-hash'];
const events = async () => (await env.events()).filter((e) => !e.startsWith('Normal SuccessfulUpdate'));

async function ready(...podNames: string[]): Promise<void> {
  for (const name of podNames) markRunningReady(env, pod(name), READY);
  await caughtUp(env, Resources.pods);
}

/** Creates every pod in order, making each Running and Ready. */
async function rollOut(controller: StatefulSetController, replicas = 3): Promise<void> {
  for (let i = 0; i < replicas; i++) {
    await sync(controller);
    await ready(`web-${i}`);
  }
  await sync(controller);
}

const edit = (change: (s: StatefulSet) => void) => editSpec(env, Resources.statefulsets, set(), change);

const newImage = (image: string) => (s: StatefulSet) => (s.spec.template!.spec = { containers: [{ name: 'nginx', image }] });

describe('StatefulSetController', () => {
  it('OrderedReady: creates web-0, web-1, web-2 one at a time, each once the one before is Running and Ready', async () => {
    const controller = await start(statefulSetFixture('web'));
    await sync(controller);
    expect(names()).toEqual(['web-0']);
    const revision = revisions()[0]!;
    expect(revision).toMatchObject({ revision: 1, metadata: { labels: { app: 'web' }, ownerReferences: [{ kind: 'StatefulSet', name: 'web', controller: true }] } });
    expect(pod('web-0')).toMatchObject({
      metadata: {
        generateName: 'web-',
        labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': revision.metadata.name },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
      },
      spec: { hostname: 'web-0', subdomain: 'nginx' },
    });
    expect(await events()).toEqual(['Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful']);

    // web-0 is Pending: nothing more.
    await sync(controller);
    expect(names()).toEqual(['web-0']);
    expect(set().status).toMatchObject({ replicas: 1, readyReplicas: 0, currentReplicas: 1, updatedReplicas: 1, currentRevision: revision.metadata.name, updateRevision: revision.metadata.name, collisionCount: 0, observedGeneration: 1 });

    await ready('web-0');
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-1']);
    await ready('web-1');
    await sync(controller);
    await ready('web-2');
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-1', 'web-2']);
    expect(set().status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    expect(await events()).toEqual([0, 1, 2].map((i) => `Normal SuccessfulCreate create Pod web-${i} in StatefulSet web successful`));
  });

  it('Parallel: creates all pods at once', async () => {
    const controller = await start(statefulSetFixture('web', { podManagementPolicy: 'Parallel', replicas: 4 }));
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-1', 'web-2', 'web-3']);
  });

  it('numbers pods from spec.ordinals.start', async () => {
    const controller = await start(statefulSetFixture('web', { podManagementPolicy: 'Parallel', replicas: 2, ordinals: { start: 5 } }));
    await sync(controller);
    expect(names()).toEqual(['web-5', 'web-6']);
    expect(pod('web-5').metadata.labels?.['apps.kubernetes.io/pod-index']).toBe('5');
  });

  it('OrderedReady scale down: removes the highest ordinal first, one at a time, waiting for each to terminate', async () => {
    const controller = await start(statefulSetFixture('web'));
    await rollOut(controller);
    // Bound pods terminate gracefully: they stay, being deleted, until the kubelet is done.
    for (const name of ['web-0', 'web-1', 'web-2']) markRunningReady(env, pod(name), READY, 'worker-1');
    await caughtUp(env, Resources.pods);

    edit((s) => (s.spec.replicas = 1));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    expect(pod('web-2').metadata.deletionTimestamp).toBeDefined();
    expect(pod('web-1').metadata.deletionTimestamp).toBeUndefined();
    await sync(controller);
    expect(pod('web-1').metadata.deletionTimestamp).toBeUndefined();

    env.server.write(Resources.pods, 'DELETED', pod('web-2'));
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(pod('web-1').metadata.deletionTimestamp).toBeDefined();
    expect((await events()).slice(-2)).toEqual(['Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful', 'Normal SuccessfulDelete delete Pod web-1 in StatefulSet web successful']);
  });

  it('Parallel scale down removes every extra pod at once', async () => {
    const controller = await start(statefulSetFixture('web', { podManagementPolicy: 'Parallel' }));
    await sync(controller);
    edit((s) => (s.spec.replicas = 1));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    expect(names()).toEqual(['web-0']);
  });

  it('recreates a failed pod under the same name', async () => {
    const controller = await start(statefulSetFixture('web'));
    await rollOut(controller);
    const failed = pod('web-1');
    env.server.write(Resources.pods, 'MODIFIED', { ...failed, status: { phase: 'Failed' } });
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-2']);
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-1', 'web-2']);
    expect(pod('web-1').metadata.uid).not.toBe(failed.metadata.uid);
    expect(await events()).toContain('Normal SuccessfulDelete delete Pod web-1 in StatefulSet web successful');
    // The second "create Pod web-1" is folded into the first event, as Kubernetes folds repeats.
    const created = env.objects('/events').find((e) => e.message === 'create Pod web-1 in StatefulSet web successful');
    expect(created?.count).toBe(2);
  });

  it('recreates a deleted pod under the same name', async () => {
    const controller = await start(statefulSetFixture('web'));
    await rollOut(controller);
    env.server.write(Resources.pods, 'DELETED', pod('web-0'));
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('RollingUpdate replaces pods from the highest ordinal down, each once the one above is ready again', async () => {
    const controller = await start(statefulSetFixture('web'));
    await rollOut(controller);
    const oldRevision = set().status?.currentRevision;

    edit(newImage('nginx:1.28'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    const updateRevision = revisions().find((r) => r.revision === 2)!.metadata.name;
    expect(set().status).toMatchObject({ currentRevision: oldRevision, updateRevision, observedGeneration: 2 });
    expect(names()).toEqual(['web-0', 'web-1']);

    const order: string[] = [];
    for (const next of ['web-2', 'web-1', 'web-0']) {
      await sync(controller);
      expect(revisionOf(pod(next))).toBe(updateRevision);
      expect((pod(next).spec?.containers as Array<{ image: string }>)[0]!.image).toBe('nginx:1.28');
      order.push(next);
      // Not ready yet: nothing else is touched.
      await sync(controller);
      expect(names()).toEqual(['web-0', 'web-1', 'web-2']);
      await ready(next);
      await sync(controller);
    }
    expect(order).toEqual(['web-2', 'web-1', 'web-0']);
    expect(pods().map(revisionOf)).toEqual([updateRevision, updateRevision, updateRevision]);
    expect(set().status).toMatchObject({ currentRevision: updateRevision, updateRevision, currentReplicas: 3, updatedReplicas: 3, readyReplicas: 3 });
  });

  it('RollingUpdate with a partition updates only the ordinals at or above it', async () => {
    const controller = await start(statefulSetFixture('web', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
    await rollOut(controller);
    const oldRevision = set().status?.currentRevision;
    edit(newImage('nginx:1.28'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    await sync(controller);
    await ready('web-2');
    await sync(controller);
    await sync(controller);
    const updateRevision = set().status?.updateRevision;
    expect(pods().map(revisionOf)).toEqual([oldRevision, oldRevision, updateRevision]);
    expect(set().status).toMatchObject({ currentRevision: oldRevision, currentReplicas: 2, updatedReplicas: 1 });
  });

  it('OnDelete updates a pod only when it is deleted', async () => {
    const controller = await start(statefulSetFixture('web', { updateStrategy: { type: 'OnDelete' } }));
    await rollOut(controller);
    const oldRevision = set().status?.currentRevision;
    edit(newImage('nginx:1.28'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    await sync(controller);
    expect(pods().map(revisionOf)).toEqual([oldRevision, oldRevision, oldRevision]);

    env.server.write(Resources.pods, 'DELETED', pod('web-1'));
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(revisionOf(pod('web-1'))).toBe(set().status?.updateRevision);
    expect(set().status?.updateRevision).not.toBe(oldRevision);
  });

  it('waits minReadySeconds after a pod is ready before creating the next', async () => {
    const controller = await start(statefulSetFixture('web', { minReadySeconds: 10, replicas: 2 }));
    await sync(controller);
    markRunningReady(env, pod('web-0'), '2026-01-01T00:59:55Z');
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(names()).toEqual(['web-0']);
    expect(set().status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    env.clock.step(5_000);
    await sync(controller);
    expect(names()).toEqual(['web-0', 'web-1']);
  });

  it('adopts an orphan named as its member, not one with another name', async () => {
    const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'uid-orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] }, status: { phase: 'Pending' } };
    const stranger: Pod = { ...structuredClone(orphan), metadata: { name: 'other-0', namespace: 'default', uid: 'uid-other', labels: { app: 'web' } } };
    const controller = await start(statefulSetFixture('web', { replicas: 1 }), [orphan, stranger]);
    await sync(controller);
    expect(pod('web-0').metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(pod('other-0').metadata.ownerReferences).toBeUndefined();
    expect(names()).toEqual(['other-0', 'web-0']);
  });

  it('going back to an earlier template renumbers its revision; old revisions beyond the limit go', async () => {
    const spec: Partial<StatefulSetSpec> = { updateStrategy: { type: 'OnDelete' }, replicas: 1, revisionHistoryLimit: 1 };
    const controller = await start(statefulSetFixture('web', spec));
    await sync(controller);
    const first = revisions()[0]!.metadata.name;
    edit(newImage('nginx:1.28'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    edit(newImage('nginx:1.27'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    expect(Object.fromEntries(revisions().map((r) => [r.metadata.name, r.revision]))).toMatchObject({ [first!]: 3 });
    expect(revisions()).toHaveLength(2);

    edit(newImage('nginx:1.29'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    edit(newImage('nginx:1.30'));
    await caughtUp(env, Resources.statefulsets);
    await sync(controller);
    // Kept: current (what web-0 runs, revision 3), update (1.30), and one more (1.29).
    expect(revisions().map((r) => r.revision).sort()).toEqual([3, 4, 5]);
  });

  it('does nothing for a set that is gone', async () => {
    const controller = await start(statefulSetFixture('other'));
    await sync(controller);
    expect(pods()).toHaveLength(0);
  });
});
