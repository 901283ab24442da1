import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, FakeObjectsServer, Informer, ObjectsClient, Resources, silentLogger, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { NodeInfo } from './framework/node-info';
import { numFeasibleNodesToFind, selectHost } from './schedule-one';
import { Scheduler } from './scheduler';
import { node, pod } from './testing/fixtures';

/** A scheduler against an in-memory object API: the informers, queue, cycle and binding are the real ones. */
async function start() {
  const server = new FakeObjectsServer();
  const client = new ObjectsClient(await server.start());
  const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  const informers = {
    pods: new Informer({ client, resource: Resources.pods }),
    nodes: new Informer({ client, resource: Resources.nodes }),
    namespaces: new Informer({ client, resource: Resources.namespaces }),
  };
  const events: string[] = [];
  const scheduler = new Scheduler({
    client,
    informers,
    recorder: { event: (obj, type, reason, message) => void events.push(`${type} ${reason} ${(obj as KubeObject).metadata.name}: ${message}`) },
    clock,
    log: silentLogger,
    schedulerName: 'default-scheduler',
    random: () => 0,
  });
  for (const i of Object.values(informers)) i.start();
  await Promise.all(Object.values(informers).map((i) => i.waitForSync(5_000)));
  const stop = new AbortController();
  const running = scheduler.run(stop.signal);
  const stored = (name: string) => server.objects.get(`/pods/default/${name}`);
  const close = async () => {
    stop.abort();
    await running;
    await Promise.all(Object.values(informers).map((i) => i.stop()));
    client.close();
    server.stop();
  };
  return { server, client, clock, scheduler, events, stored, close };
}

const lab = () => [
  node('control-plane').labels({ 'node-role.kubernetes.io/control-plane': '' }).taint('node-role.kubernetes.io/control-plane', undefined, 'NoSchedule').obj(),
  node('worker').obj(),
  node('worker2').obj(),
];

describe('Scheduler', () => {
  let env: Awaited<ReturnType<typeof start>> | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('binds a pod to the least used worker and records Scheduled', async () => {
    env = await start();
    for (const n of lab()) await env.client.create(Resources.nodes, n);
    await env.client.create(Resources.pods, pod('busy').req({ cpu: '2', memory: '4Gi' }).nodeName('worker').obj());
    await env.client.create(Resources.pods, pod('web-1').req({ cpu: '500m', memory: '512Mi' }).obj());
    await waitFor(() => env!.stored('web-1')?.spec?.nodeName, { what: 'web-1 bound' });
    expect(env.stored('web-1')!.spec!.nodeName).toBe('worker2');
    await waitFor(() => env!.events.length > 0, { what: 'the event' });
    expect(env.events).toEqual(['Normal Scheduled web-1: Successfully assigned default/web-1 to worker2']);
  });

  it('leaves a pod that fits nowhere Pending with PodScheduled=False and FailedScheduling, and schedules it when a node is labelled', async () => {
    env = await start();
    for (const n of lab()) await env.client.create(Resources.nodes, n);
    await env.client.create(Resources.pods, pod('ssd').nodeSelector({ disktype: 'ssd' }).obj());
    const message =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    await waitFor(() => (env!.stored('ssd')?.status?.conditions as unknown[] | undefined)?.length, { what: 'the PodScheduled condition' });
    expect(env.stored('ssd')!.status!.conditions).toEqual([{ type: 'PodScheduled', status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'Unschedulable', message }]);
    expect(env.events).toEqual([`Warning FailedScheduling ssd: ${message}`]);
    await waitFor(() => env!.scheduler.queue.whereIs(env!.stored('ssd')!) === 'unschedulablePods', { what: 'the pod parked as unschedulable' });

    // Labelling a worker is the event that helps: the pod leaves unschedulablePods at once...
    const worker = await env.client.get(Resources.nodes, undefined, 'worker');
    await env.client.update(Resources.nodes, { ...worker, metadata: { ...worker.metadata, labels: { ...worker.metadata.labels, disktype: 'ssd' } } });
    await waitFor(() => env!.scheduler.queue.whereIs(env!.stored('ssd')!) === 'backoffQ', { what: 'the pod in the backoffQ' });
    // ...and is scheduled once its 1 s back-off is over.
    env.clock.step(1_000);
    await waitFor(() => env!.stored('ssd')?.spec?.nodeName, { what: 'ssd bound' });
    expect(env.stored('ssd')!.spec!.nodeName).toBe('worker');
  });

  it('leaves alone pods of another scheduler, pods already on a node, and pods being deleted', async () => {
    env = await start();
    for (const n of lab()) await env.client.create(Resources.nodes, n);
    await env.client.create(Resources.pods, pod('other').schedulerName('my-scheduler').obj());
    await env.client.create(Resources.pods, { ...pod('deleting').obj(), metadata: { ...pod('deleting').obj().metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
    await env.client.create(Resources.pods, pod('mine').obj());
    await waitFor(() => env!.stored('mine')?.spec?.nodeName, { what: 'mine bound' });
    expect({ other: env.stored('other')!.spec!.nodeName, deleting: env.stored('deleting')!.spec!.nodeName, binds: env.server.calls.Bind }).toEqual({ other: undefined, deleting: undefined, binds: 1 });
  });

  it('with no node at all the pod is Unschedulable ("no nodes available to schedule pods"), and is placed once a node comes', async () => {
    env = await start();
    await env.client.create(Resources.pods, pod('web').obj());
    await waitFor(() => env!.stored('web')?.status?.conditions, { what: 'the condition' });
    expect(env.events).toEqual(['Warning FailedScheduling web: no nodes available to schedule pods']);
    expect((env.stored('web')!.status!.conditions as Array<{ reason: string; message: string }>)[0]).toMatchObject({ reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
    // No plugin rejected it: it is retried after its back-off (and finds the node then).
    await env.client.create(Resources.nodes, node('worker').obj());
    env.clock.step(1_000);
    await waitFor(() => env!.stored('web')?.spec?.nodeName === 'worker', { what: 'web bound once a node exists' });
  });

  it('a failed binding un-assumes the pod and retries it after its back-off', async () => {
    env = await start();
    for (const n of lab()) await env.client.create(Resources.nodes, n);
    const bind = env.client.bind.bind(env.client);
    let failures = 1;
    env.client.bind = ((...args: Parameters<typeof bind>) => (failures-- > 0 ? Promise.reject(new Error('the apiserver said no')) : bind(...args))) as typeof bind;
    await env.client.create(Resources.pods, pod('web').obj());
    await waitFor(() => env!.events.length > 0, { what: 'FailedScheduling' });
    expect(env.events).toEqual(['Warning FailedScheduling web: running Bind plugin "DefaultBinder": the apiserver said no']);
    await waitFor(() => env!.stored('web')?.status?.conditions, { what: 'the condition' });
    expect((env.stored('web')!.status!.conditions as Array<{ reason: string }>)[0]!.reason).toBe('SchedulerError');
    expect({ where: env.scheduler.queue.whereIs(env.stored('web')!), cached: env.scheduler.cache.podCount() }).toEqual({ where: 'backoffQ', cached: 0 });
    env.clock.step(1_000);
    await waitFor(() => env!.stored('web')?.spec?.nodeName, { what: 'web bound on the second try' });
  });
});

describe('Scheduler, a bind that fails after it went through', () => {
  it('logs the cache error and goes on scheduling (it used to reject unhandled, which ends a Node process)', async () => {
    const env = await start();
    try {
      for (const n of lab()) await env.client.create(Resources.nodes, n);
      const bind = env.client.bind.bind(env.client);
      let once = true;
      // The binding is stored, the informer confirms the pod, and then the call fails (a timeout on the way back).
      env.client.bind = (async (...args: Parameters<typeof bind>) => {
        await bind(...args);
        if (!once) return;
        once = false;
        await waitFor(() => env.scheduler.cache.podCount() === 1 && env.stored('web')?.spec?.nodeName, { what: 'the informer to confirm the pod' });
        throw new Error('context deadline exceeded');
      }) as typeof bind;
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      process.on('unhandledRejection', onRejection);
      try {
        await env.client.create(Resources.pods, pod('web').obj());
        await waitFor(() => env.events.some((e) => e.startsWith('Warning FailedScheduling web')), { what: 'the failure handled' });
        await env.client.create(Resources.pods, pod('web2').obj());
        await waitFor(() => env.stored('web2')?.spec?.nodeName, { what: 'the next pod bound' });
        await new Promise((resolve) => setImmediate(resolve));
        expect(rejections).toEqual([]);
      } finally {
        process.off('unhandledRejection', onRejection);
      }
    } finally {
      await env.close();
    }
  });
});

describe('numFeasibleNodesToFind (percentageOfNodesToScore adaptive when 0)', () => {
  it.each([
    { nodes: 3, percentage: 0, want: 3 },
    { nodes: 99, percentage: 0, want: 99 },
    { nodes: 100, percentage: 0, want: 100 },
    // 50 - 1000/125 = 42%.
    { nodes: 1_000, percentage: 0, want: 420 },
    // 50 - 5000/125 = 10%: 500.
    { nodes: 5_000, percentage: 0, want: 500 },
    // 50 - 6000/125 = 2%: raised to 5% = 300.
    { nodes: 6_000, percentage: 0, want: 300 },
    { nodes: 1_000, percentage: 5, want: 100 },
    { nodes: 1_000, percentage: 100, want: 1_000 },
  ])('$nodes nodes at $percentage%: $want', ({ nodes, percentage, want }) => {
    expect(numFeasibleNodesToFind(percentage, nodes)).toBe(want);
  });
});

describe('selectHost', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => new NodeInfo(node(n).obj()));
  it.each([
    { name: 'the highest total', totals: [10, 30, 20, 0], random: 0, want: 'b' },
    // Reservoir sampling over the ties: with random() = 0 each later tie replaces the pick.
    { name: 'ties: random() = 0 takes the last', totals: [30, 10, 30, 30], random: 0, want: 'd' },
    { name: 'ties: random() near 1 keeps the first', totals: [30, 10, 30, 30], random: 0.99, want: 'a' },
  ])('$name', ({ totals, random, want }) => {
    expect(selectHost(nodes, totals, () => random)).toBe(want);
  });
});
