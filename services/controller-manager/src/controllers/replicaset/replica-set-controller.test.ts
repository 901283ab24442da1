import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, failureStatus } from '@kubelab/apimachinery';
import { Resources } from '@kubelab/client';
import { caughtUp, markRunningReady, startController, testEnv, withQueueProbe, type Fixture, type TestEnv } from '../../controller/testing';
import { podFixture } from '../../controller/testing-objects';
import { replicaSetFixture } from '../../controller/testing-workloads';
import { ReplicaSetController } from './replica-set-controller';

const ProbedReplicaSetController = withQueueProbe(ReplicaSetController);

describe('ReplicaSetController', () => {
  let env: TestEnv;
  let controller: InstanceType<typeof ProbedReplicaSetController>;
  const pods = () => env.objects('/pods', 'default');
  const rsStatus = (name = 'web') => env.server.objects.get(`apps/replicasets/default/${name}`)!.status;

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Fixture[]): Promise<void> {
    controller = await startController(env, (ctx) => new ProbedReplicaSetController(ctx), fixtures);
  }
  const settle = () => caughtUp(env, Resources.pods, Resources.replicasets);
  /** Processes keys until nothing is left to do and every write has come back through the informers. */
  async function quiesce(): Promise<void> {
    for (;;) {
      await settle();
      if (controller.pending() === 0) return;
      await controller.drain();
    }
  }

  it('creates the missing pods from the template, owned by the ReplicaSet, and counts them once seen', async () => {
    const rs = replicaSetFixture('web', { replicas: 3, generation: 2 });
    await start([Resources.replicasets, rs]);
    await controller.reconcile('default/web');
    // Whatever the informer has seen by now, expectations keep a second sync from creating more.
    await controller.reconcile('default/web');
    await settle();
    expect(pods()).toHaveLength(3);
    for (const pod of pods()) {
      expect(pod.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(pod.metadata.labels).toEqual({ app: 'web' });
      expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
      expect(pod.spec).toEqual({ containers: [{ name: 'web', image: 'nginx' }] });
    }
    await controller.reconcile('default/web');
    expect(rsStatus()).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 2 });
    const events = await env.events();
    expect(events.filter((e) => /^Normal SuccessfulCreate Created pod: web-[a-z0-9]{5}$/.test(e))).toHaveLength(3);
  });

  it('deletes the surplus, unassigned and pending pods before running ones', async () => {
    const rs = replicaSetFixture('web', { replicas: 1 });
    await start(
      [Resources.replicasets, rs],
      [Resources.pods, podFixture('web-ready', { owner: rs, nodeName: 'node-1', phase: 'Running', readySince: '2026-01-01T00:00:00Z' })],
      [Resources.pods, podFixture('web-pending', { owner: rs, nodeName: 'node-1', phase: 'Pending' })],
      [Resources.pods, podFixture('web-unassigned', { owner: rs })],
    );
    await controller.reconcile('default/web');
    // The unassigned pod goes at once; the bound one is Terminating until its kubelet stops it.
    expect(pods().map((p) => `${p.metadata.name}${p.metadata.deletionTimestamp ? ' (terminating)' : ''}`)).toEqual(['web-ready', 'web-pending (terminating)']);
    expect((await env.events()).sort()).toEqual(['Normal SuccessfulDelete Deleted pod: web-pending', 'Normal SuccessfulDelete Deleted pod: web-unassigned']);
    await settle();
    await controller.reconcile('default/web');
    expect(rsStatus()).toEqual({ replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
  });

  it('adopts matching orphans, releases its pods that stopped matching, leaves other owners alone', async () => {
    const rs = replicaSetFixture('web', { replicas: 2 });
    const other = replicaSetFixture('other', { labels: { app: 'other' } });
    await start(
      [Resources.replicasets, rs],
      [Resources.pods, podFixture('orphan')],
      [Resources.pods, podFixture('relabeled', { owner: rs, labels: { app: 'debug' } })],
      [Resources.pods, podFixture('foreign', { owner: other })],
      [Resources.pods, podFixture('orphan-going', { deleting: true })],
    );
    await controller.reconcile('default/web');
    const byName = (name: string) => env.server.objects.get(`/pods/default/${name}`)!;
    expect(byName('orphan').metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(byName('relabeled').metadata.ownerReferences).toEqual([]);
    expect(byName('foreign').metadata.ownerReferences?.[0]?.name).toBe('other');
    expect(byName('orphan-going').metadata.ownerReferences).toBeUndefined();
    // One adopted and one created, as foreign and relabeled pods are not ours.
    expect(pods()).toHaveLength(5);
  });

  it('does not count pods being deleted, and replaces them at once', async () => {
    const rs = replicaSetFixture('web', { replicas: 2 });
    await start([Resources.replicasets, rs], [Resources.pods, podFixture('web-a', { owner: rs })], [Resources.pods, podFixture('web-b', { owner: rs, deleting: true })]);
    await controller.reconcile('default/web');
    expect(pods()).toHaveLength(3);
    expect(rsStatus()).toEqual({ replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 });
  });

  it('counts a pod available after minReadySeconds, and comes back then', async () => {
    const rs = replicaSetFixture('web', { replicas: 1, minReadySeconds: 10 });
    const now = new Date(env.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    await start([Resources.replicasets, rs], [Resources.pods, podFixture('web-a', { owner: rs, nodeName: 'node-1', phase: 'Running', readySince: now })]);
    await quiesce();
    expect(rsStatus()).toEqual({ replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, observedGeneration: 1 });
    env.clock.step(10_000);
    // The requeue after minReadySeconds is all that wakes it.
    expect(controller.pending()).toBe(1);
    await quiesce();
    expect(rsStatus()).toEqual({ replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
  });

  it('looks again minReadySeconds + 1 s after one of its pods turns ready', async () => {
    // Two replicas, one turning ready: the sync itself sees no reason to come back (not all are ready).
    const rs = replicaSetFixture('web', { replicas: 2, minReadySeconds: 5 });
    const running = { owner: rs, nodeName: 'node-1', phase: 'Running' };
    await start([Resources.replicasets, rs], [Resources.pods, podFixture('web-a', running)], [Resources.pods, podFixture('web-b', running)]);
    await quiesce();
    markRunningReady(env, env.server.objects.get('/pods/default/web-a')!, new Date(env.clock.now()).toISOString());
    await quiesce();
    env.clock.step(5_000);
    expect(controller.pending()).toBe(0);
    env.clock.step(1_000);
    expect(controller.pending()).toBe(1);
    await quiesce();
    expect(rsStatus()).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });

  it('stops at the first failed create (slow start), reports FailedCreate and a ReplicaFailure condition, and clears it later', async () => {
    const rs = replicaSetFixture('web', { replicas: 4 });
    await start([Resources.replicasets, rs]);
    const create = env.client.create.bind(env.client);
    const spy = vi.spyOn(env.client, 'create').mockImplementation((gvr, object, options) => {
      if (gvr.resource === 'pods') return Promise.reject(new ApiError(failureStatus(403, 'Forbidden', 'pods "web-x" is forbidden: exceeded quota: compute')));
      return create(gvr, object, options);
    });
    await expect(controller.reconcile('default/web')).rejects.toThrow(/exceeded quota/);
    expect(spy.mock.calls.filter(([gvr]) => gvr.resource === 'pods')).toHaveLength(1);
    expect(await env.events()).toEqual(['Warning FailedCreate Error creating: pods "web-x" is forbidden: exceeded quota: compute']);
    expect(rsStatus()).toMatchObject({ replicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota: compute' }] });
    spy.mockRestore();
    await settle();
    await controller.reconcile('default/web');
    expect(pods()).toHaveLength(4);
    expect(rsStatus()).toEqual({ replicas: 0, observedGeneration: 1 });
  });

  it('forgets a deleted ReplicaSet', async () => {
    await start();
    await expect(controller.reconcile('default/gone')).resolves.toBeUndefined();
    expect(pods()).toHaveLength(0);
  });
});
