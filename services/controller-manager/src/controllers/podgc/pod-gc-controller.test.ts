import { metaTime, Resources, type KubeObject } from '@kubelab/client';
import type { Taint } from '@kubelab/component-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { emulateDeletion, type DeleteCall } from '../../controller/testing-deletion';
import { startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { nodeFixture, podFixture } from '../../controller/testing-objects';
import { byEvictionAndCreationTimestamp, PodGCController } from './pod-gc-controller';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const node = (name: string, ready: string, taints: Taint[] = []) => nodeFixture(name, { ready, taints });
const pod = (name: string, options: { nodeName?: string; phase?: string; reason?: string; terminating?: boolean; createdMs?: number } = {}) =>
  podFixture(name, { nodeName: options.nodeName, phase: options.phase ?? 'Running', reason: options.reason, deleting: options.terminating, created: metaTime(options.createdMs ?? T0) });

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function start(fixtures: Fixture[], threshold?: number): Promise<{ env: TestEnv; gc: PodGCController; deletes: DeleteCall[] }> {
  env = await testEnv({ startMs: T0 });
  const deletes = emulateDeletion(env);
  const gc = await startController(env, (ctx) => new PodGCController(ctx, threshold), fixtures);
  return { env, gc, deletes };
}

const forced = (deletes: DeleteCall[]) => deletes.map((d) => `${d.name} grace=${d.options.gracePeriodSeconds}`);

describe('PodGCController', () => {
  it('force-deletes pods of a deleted node after the 40 s quarantine, marked Failed', async () => {
    const { env, gc, deletes } = await start([
      [Resources.nodes, node('worker-1', 'True')],
      [Resources.pods, pod('web-1', { nodeName: 'gone' })],
      [Resources.pods, pod('web-2', { nodeName: 'worker-1' })],
    ]);
    await gc.gc();
    env.clock.step(39_999);
    await gc.gc();
    expect(deletes).toEqual([]);

    env.clock.step(1);
    await gc.gc();
    expect(forced(deletes)).toEqual(['web-1 grace=0']);
    expect(env.server.objects.get('/pods/default/web-1')).toBeUndefined();
  });

  it('marks the orphaned pod Failed with DisruptionTarget before deleting it', async () => {
    const { env, gc } = await start([[Resources.pods, pod('web-1', { nodeName: 'gone' })]]);
    const statuses: unknown[] = [];
    const patch = env.client.patch.bind(env.client);
    env.client.patch = (async (...args: Parameters<typeof patch>) => {
      statuses.push(args[4]);
      return patch(...args);
    }) as typeof patch;
    await gc.gc();
    env.clock.step(40_000);
    await gc.gc();
    expect(statuses).toEqual([
      { status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: metaTime(T0 + 40_000) }] } },
    ]);
  });

  it('keeps pods of a node the cache has not shown yet but the apiserver has', async () => {
    const { env, gc, deletes } = await start([[Resources.pods, pod('web-1', { nodeName: 'new-node' })]]);
    await gc.gc();
    env.server.objects.set('/nodes//new-node', node('new-node', 'True'));
    env.clock.step(40_000);
    await gc.gc();
    expect(deletes).toEqual([]);
  });

  it('force-deletes terminating pods that were never scheduled', async () => {
    const { gc, deletes } = await start([
      [Resources.pods, pod('pending-1', { terminating: true, phase: 'Pending' })],
      [Resources.pods, pod('pending-2', { phase: 'Pending' })],
    ]);
    await gc.gc();
    expect(forced(deletes)).toEqual(['pending-1 grace=0']);
  });

  it.each<[string, KubeObject, boolean]>([
    ['NotReady and out of service', node('worker-1', 'False', [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }]), true],
    ['Ready and out of service', node('worker-1', 'True', [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }]), false],
    ['NotReady without the taint', node('worker-1', 'Unknown'), false],
  ])('terminating pods on a node %s: force-deleted %s', async (_name, n, expected) => {
    const { gc, deletes } = await start([
      [Resources.nodes, n],
      [Resources.pods, pod('web-1', { nodeName: 'worker-1', terminating: true })],
    ]);
    await gc.gc();
    expect(forced(deletes)).toEqual(expected ? ['web-1 grace=0'] : []);
  });

  it('deletes finished pods beyond the threshold, evicted and oldest first', async () => {
    const { gc, deletes } = await start(
      [
        [Resources.pods, pod('done-old', { phase: 'Succeeded', createdMs: T0 - 3_000 })],
        [Resources.pods, pod('done-new', { phase: 'Succeeded', createdMs: T0 - 1_000 })],
        [Resources.pods, pod('failed-mid', { phase: 'Failed', createdMs: T0 - 2_000 })],
        [Resources.pods, pod('evicted', { phase: 'Failed', reason: 'Evicted', createdMs: T0 })],
        [Resources.pods, pod('running', { phase: 'Running', createdMs: T0 - 9_000 })],
      ],
      2,
    );
    await gc.gc();
    expect(forced(deletes).sort()).toEqual(['done-old grace=0', 'evicted grace=0']);
  });
});

describe('byEvictionAndCreationTimestamp', () => {
  it.each<[string, KubeObject, KubeObject, number]>([
    ['evicted before not evicted', pod('b', { phase: 'Failed', reason: 'Evicted', createdMs: T0 }), pod('a', { phase: 'Failed', createdMs: T0 - 1 }), -1],
    ['older first', pod('b', { createdMs: T0 - 1 }), pod('a', { createdMs: T0 }), -1],
    ['same age: by name', pod('a'), pod('b'), -1],
  ])('%s', (_name, a, b, expected) => {
    expect(Math.sign(byEvictionAndCreationTimestamp(a, b))).toBe(expected);
    expect(Math.sign(byEvictionAndCreationTimestamp(b, a))).toBe(-expected);
  });
});
