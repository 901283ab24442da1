import { Resources } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { Taint, Toleration } from '@kubelab/component-helpers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emulateDeletion, type DeleteCall } from '../../controller/testing-deletion';
import { startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { CREATED, nodeFixture, podFixture } from '../../controller/testing-objects';
import { TaintEvictionController } from './taint-eviction-controller';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
const disk: Taint = { key: 'disktype', value: 'ssd', effect: 'NoExecute' };
/** The tolerations DefaultTolerationSeconds admission gives every pod. */
const defaultTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

const node = (name: string, taints: Taint[] = []) => nodeFixture(name, { taints });
const pod = (name: string, tolerations: Toleration[], nodeName = 'worker-1') => podFixture(name, { nodeName, tolerations, phase: 'Running', readySince: CREATED });

interface World {
  env: TestEnv;
  controller: TaintEvictionController;
  deletes: DeleteCall[];
  /** Pod keys queued since the start. */
  queued: string[];
}

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function start(fixtures: Fixture[]): Promise<World> {
  env = await testEnv({ startMs: T0 });
  const deletes = emulateDeletion(env);
  const queued: string[] = [];
  const controller = await startController(
    env,
    (ctx) => {
      const c = new TaintEvictionController(ctx);
      const enqueue = c.enqueue.bind(c);
      vi.spyOn(c, 'enqueue').mockImplementation((key) => {
        queued.push(typeof key === 'string' ? key : `${key.metadata.namespace}/${key.metadata.name}`);
        enqueue(key);
      });
      return c;
    },
    fixtures,
  );
  return { env, controller, deletes, queued };
}

const taintNode = async (e: TestEnv, name: string, taints: Taint[]) => {
  e.server.write(Resources.nodes, 'MODIFIED', node(name, taints));
  await waitFor(() => JSON.stringify(e.ctx.informers.informer(Resources.nodes).indexer.get(undefined, name)?.spec?.taints ?? []) === JSON.stringify(taints), { intervalMs: 2 });
};
const serverPod = (e: TestEnv, name: string) => e.server.objects.get(`/pods/default/${name}`);

describe('TaintEvictionController', () => {
  it('evicts a pod that does not tolerate a NoExecute taint at once', async () => {
    const { env, controller, deletes, queued } = await start([
      [Resources.nodes, node('worker-1')],
      [Resources.pods, pod('web-1', defaultTolerations)],
    ]);
    await taintNode(env, 'worker-1', [disk]);
    await controller.reconcile('default/web-1');
    queued.length = 0;

    expect(deletes.map((d) => `${d.resource}/${d.name}`)).toEqual(['pods/web-1']);
    const evicted = serverPod(env, 'web-1')!;
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect((evicted.status!.conditions as Array<Record<string, string>>).find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    });
    expect(await env.events()).toEqual(['Normal TaintManagerEviction Marking for deletion Pod default/web-1']);

    // The pod turning Terminating is no news to this controller (only its node, tolerations and taints are).
    await waitFor(() => env.ctx.informers.informer(Resources.pods).indexer.get('default', 'web-1')?.metadata.deletionTimestamp, { intervalMs: 2 });
    expect(queued).toEqual([]);
  });

  it('evicts a pod tolerating the taint for 300 s when the 300 s have passed', async () => {
    const { env, controller, deletes, queued } = await start([
      [Resources.nodes, node('worker-1')],
      [Resources.pods, pod('web-1', defaultTolerations)],
    ]);
    await taintNode(env, 'worker-1', [unreachable]);
    await controller.reconcile('default/web-1');
    expect(controller.evictions.getWorker('default/web-1')).toMatchObject({ createdAt: T0, fireAt: T0 + 300_000 });

    env.clock.step(299_999);
    await controller.reconcile('default/web-1');
    expect(deletes).toEqual([]);

    queued.length = 0;
    env.clock.step(1);
    expect(queued).toEqual(['default/web-1']);
    await controller.reconcile('default/web-1');
    expect(deletes.map((d) => d.name)).toEqual(['web-1']);
  });

  it('calls the eviction off when the taint goes away', async () => {
    const { env, controller, deletes } = await start([
      [Resources.nodes, node('worker-1', [unreachable])],
      [Resources.pods, pod('web-1', defaultTolerations)],
    ]);
    await controller.reconcile('default/web-1');
    const timers = env.clock.pendingTimers;
    env.clock.step(120_000);
    await taintNode(env, 'worker-1', []);
    await controller.reconcile('default/web-1');
    expect(env.clock.pendingTimers).toBe(timers - 1);
    expect(await env.events()).toEqual(['Normal TaintManagerEviction Cancelling deletion of Pod default/web-1']);
    env.clock.step(600_000);
    await controller.reconcile('default/web-1');
    expect(deletes).toEqual([]);
  });

  it('calls the eviction off when the pod goes', async () => {
    const { env, controller } = await start([
      [Resources.nodes, node('worker-1', [unreachable])],
      [Resources.pods, pod('web-1', defaultTolerations)],
    ]);
    await controller.reconcile('default/web-1');
    env.server.write(Resources.pods, 'DELETED', serverPod(env, 'web-1')!);
    await waitFor(() => !env.ctx.informers.informer(Resources.pods).indexer.get('default', 'web-1'), { intervalMs: 2 });
    await controller.reconcile('default/web-1');
    expect(controller.evictions.getWorker('default/web-1')).toBeUndefined();
    expect(await env.events()).toEqual(['Normal TaintManagerEviction Cancelling deletion of Pod default/web-1']);
  });

  it('leaves a pod that tolerates the taint forever, and pods on other nodes', async () => {
    const { env, controller, deletes } = await start([
      [Resources.nodes, node('worker-1', [disk])],
      [Resources.nodes, node('worker-2')],
      [Resources.pods, pod('ssd-1', [{ key: 'disktype', operator: 'Equal', value: 'ssd', effect: 'NoExecute' }])],
      [Resources.pods, pod('web-2', [], 'worker-2')],
    ]);
    await controller.reconcile('default/ssd-1');
    await controller.reconcile('default/web-2');
    env.clock.step(3_600_000);
    expect(deletes).toEqual([]);
    expect(await env.events()).toEqual([]);
  });

  it('a new NoExecute taint queues the pods of its node', async () => {
    const { env, queued } = await start([
      [Resources.nodes, node('worker-1')],
      [Resources.nodes, node('worker-2')],
      [Resources.pods, pod('web-1', [])],
      [Resources.pods, pod('web-2', [], 'worker-2')],
    ]);
    queued.length = 0;
    await taintNode(env, 'worker-1', [disk]);
    expect(queued).toEqual(['default/web-1']);
  });
});
