import { metaTime, Resources, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { Taint } from '@kubelab/component-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { nodeFixture, podFixture } from '../../controller/testing-objects';
import type { NodeCondition } from './node-health';
import { NodeLifecycleController } from './node-lifecycle-controller';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR_AGO = metaTime(T0 - 3_600_000);

const ready = (status: string, heartbeatMs: number, transition = HOUR_AGO): NodeCondition => ({
  type: 'Ready',
  status,
  lastHeartbeatTime: metaTime(heartbeatMs),
  lastTransitionTime: transition,
  reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady',
  message: status === 'True' ? 'kubelet is posting ready status' : 'container runtime is down',
});
const node = (name: string, condition: NodeCondition, spec: { unschedulable?: boolean; taints?: Taint[] } = {}) => nodeFixture(name, { conditions: [condition], created: HOUR_AGO, ...spec });
const pod = (name: string, nodeName: string) => podFixture(name, { nodeName, phase: 'Running', readySince: HOUR_AGO });
const lease = (nodeName: string, renewMs: number): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: nodeName, namespace: 'kube-node-lease' },
  spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new Date(renewMs).toISOString() },
});

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function start(fixtures: Fixture[]): Promise<{ env: TestEnv; controller: NodeLifecycleController }> {
  env = await testEnv({ startMs: T0 });
  const controller = await startController(env, (ctx) => new NodeLifecycleController(ctx), fixtures);
  return { env, controller };
}

const serverNode = (e: TestEnv, name: string) => e.server.objects.get(`/nodes//${name}`)!;
const readyOf = (n: KubeObject) => (n.status!.conditions as NodeCondition[]).find((c) => c.type === 'Ready')!;
const taintsOf = (n: KubeObject) => ((n.spec?.taints as Taint[] | undefined) ?? []).map((t) => `${t.key}:${t.effect}`);
const podReady = (e: TestEnv, name: string) => (e.server.objects.get(`/pods/default/${name}`)!.status!.conditions as NodeCondition[]).find((c) => c.type === 'Ready')!.status;
/** Waits until the shared node informer shows what the apiserver has. */
const cacheSees = (e: TestEnv, name: string, what: (n: KubeObject) => boolean) =>
  waitFor(() => {
    const cached = e.ctx.informers.informer(Resources.nodes).indexer.get(undefined, name);
    return cached !== undefined && what(cached);
  }, { intervalMs: 2, what: `the node cache to show ${name}` });
/** A kubelet posting status again: Ready=True with a fresh heartbeat, keeping what else the node has. */
const kubeletPosts = (e: TestEnv, name: string, status: string) => {
  const current = serverNode(e, name);
  e.server.write(Resources.nodes, 'MODIFIED', { ...current, status: { conditions: [ready(status, e.clock.now(), metaTime(e.clock.now()))] } });
};

describe('NodeLifecycleController', () => {
  it('marks a silent node Unknown after exactly the grace period, taints it, and clears it when it is back', async () => {
    const { env, controller } = await start([
      [Resources.nodes, node('worker-1', ready('True', T0))],
      [Resources.nodes, node('worker-2', ready('True', T0))],
      [Resources.pods, pod('web-1', 'worker-1')],
    ]);
    /** worker-2 keeps posting (were every node silent, the controller would blame itself and taint nothing). */
    const worker2Posts = async () => {
      kubeletPosts(env, 'worker-2', 'True');
      await cacheSees(env, 'worker-2', (n) => readyOf(n).lastHeartbeatTime === metaTime(env.clock.now()));
    };

    await controller.monitorNodeHealth();
    expect(await env.events()).toEqual([
      'Normal RegisteredNode Node worker-1 event: Registered Node worker-1 in Controller',
      'Normal RegisteredNode Node worker-2 event: Registered Node worker-2 in Controller',
    ]);

    env.clock.step(50_000);
    await worker2Posts();
    await controller.monitorNodeHealth();
    expect(readyOf(serverNode(env, 'worker-1')).status).toBe('True');

    env.clock.step(1);
    await controller.monitorNodeHealth();
    expect(readyOf(serverNode(env, 'worker-1'))).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: metaTime(T0 + 50_001) });
    expect(podReady(env, 'web-1')).toBe('False');
    expect((await env.events()).slice(2)).toEqual(['Normal NodeNotReady Node worker-1 status is now: NodeNotReady', 'Warning NodeNotReady Node is not ready']);
    // No NoExecute taint yet: that follows from the Unknown the controller sees on its next pass.
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual([]);

    await cacheSees(env, 'worker-1', (n) => readyOf(n).status === 'Unknown');
    await controller.reconcile('worker-1');
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);

    env.clock.step(5_000);
    await worker2Posts();
    await controller.monitorNodeHealth();
    await controller.doNoExecuteTaintingPass();
    const tainted = serverNode(env, 'worker-1');
    expect(taintsOf(tainted)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect((tainted.spec!.taints as Taint[])[1]!.timeAdded).toBe(metaTime(T0 + 55_001));

    // The kubelet comes back.
    kubeletPosts(env, 'worker-1', 'True');
    await cacheSees(env, 'worker-1', (n) => readyOf(n).status === 'True');
    await controller.monitorNodeHealth();
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    await cacheSees(env, 'worker-1', (n) => taintsOf(n).length === 1);
    await controller.reconcile('worker-1');
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual([]);
  });

  it('takes a renewed Lease as a heartbeat', async () => {
    const { env, controller } = await start([
      [Resources.nodes, node('worker-1', ready('True', T0))],
      [Resources.leases, lease('worker-1', T0)],
    ]);
    await controller.monitorNodeHealth();
    for (let t = 10_000; t <= 120_000; t += 10_000) {
      env.clock.step(10_000);
      env.server.write(Resources.leases, 'MODIFIED', lease('worker-1', T0 + t));
      await waitFor(() => env.ctx.informers.informer(Resources.leases).indexer.get('kube-node-lease', 'worker-1')?.spec?.renewTime === new Date(T0 + t).toISOString(), { intervalMs: 2 });
      await controller.monitorNodeHealth();
    }
    expect(readyOf(serverNode(env, 'worker-1')).status).toBe('True');
    // The kubelet stops renewing: Unknown once the grace period has passed since the last renewal.
    env.clock.step(50_000);
    await controller.monitorNodeHealth();
    expect(readyOf(serverNode(env, 'worker-1')).status).toBe('True');
    env.clock.step(1);
    await controller.monitorNodeHealth();
    expect(readyOf(serverNode(env, 'worker-1')).status).toBe('Unknown');
  });

  it('taints a node its kubelet reports NotReady with not-ready, and swaps to unreachable when it goes silent', async () => {
    const { env, controller } = await start([
      [Resources.nodes, node('worker-1', ready('True', T0))],
      [Resources.nodes, node('worker-2', ready('True', T0))],
    ]);
    await controller.monitorNodeHealth();
    env.clock.step(1_000);
    kubeletPosts(env, 'worker-1', 'False');
    kubeletPosts(env, 'worker-2', 'True');
    await cacheSees(env, 'worker-1', (n) => readyOf(n).status === 'False');
    await controller.monitorNodeHealth();
    await controller.doNoExecuteTaintingPass();
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual(['node.kubernetes.io/not-ready:NoExecute']);
    // The kubelet said so itself: the controller records no NodeNotReady.
    expect((await env.events()).filter((e) => e.includes('NodeNotReady'))).toEqual([]);

    // Silent from now on; worker-2 keeps posting, so the zone is not fully disrupted.
    env.clock.step(50_001);
    kubeletPosts(env, 'worker-2', 'True');
    await cacheSees(env, 'worker-2', (n) => readyOf(n).lastHeartbeatTime === metaTime(env.clock.now()));
    await controller.monitorNodeHealth();
    await cacheSees(env, 'worker-1', (n) => readyOf(n).status === 'Unknown');
    env.clock.step(5_000);
    await controller.monitorNodeHealth();
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual(['node.kubernetes.io/unreachable:NoExecute']);
  });

  it('taints NotReady nodes of a zone one at a time, at --node-eviction-rate', async () => {
    const { env, controller } = await start(['worker-1', 'worker-2', 'worker-3'].map((name) => [Resources.nodes, node(name, ready('True', T0))] as Fixture));
    await controller.monitorNodeHealth();
    env.clock.step(50_001);
    kubeletPosts(env, 'worker-3', 'True');
    await cacheSees(env, 'worker-3', (n) => readyOf(n).lastHeartbeatTime === metaTime(env.clock.now()));
    await controller.monitorNodeHealth();
    await cacheSees(env, 'worker-2', (n) => readyOf(n).status === 'Unknown');
    await cacheSees(env, 'worker-1', (n) => readyOf(n).status === 'Unknown');
    await controller.monitorNodeHealth();
    const tainted = () => ['worker-1', 'worker-2'].filter((n) => taintsOf(serverNode(env, n)).includes('node.kubernetes.io/unreachable:NoExecute'));
    await controller.doNoExecuteTaintingPass();
    expect(tainted()).toEqual(['worker-1']);
    env.clock.step(9_999);
    await controller.doNoExecuteTaintingPass();
    expect(tainted()).toEqual(['worker-1']);
    env.clock.step(1);
    await controller.doNoExecuteTaintingPass();
    expect(tainted()).toEqual(['worker-1', 'worker-2']);
  });

  it('taints nothing when every node is down (master disruption mode)', async () => {
    const { env, controller } = await start([
      [Resources.nodes, node('worker-1', ready('True', T0))],
      [Resources.nodes, node('worker-2', ready('True', T0))],
    ]);
    await controller.monitorNodeHealth();
    env.clock.step(50_001);
    await controller.monitorNodeHealth();
    await cacheSees(env, 'worker-1', (n) => readyOf(n).status === 'Unknown');
    await cacheSees(env, 'worker-2', (n) => readyOf(n).status === 'Unknown');
    for (let i = 0; i < 3; i++) {
      env.clock.step(5_000);
      await controller.monitorNodeHealth();
      await controller.doNoExecuteTaintingPass();
    }
    expect([taintsOf(serverNode(env, 'worker-1')), taintsOf(serverNode(env, 'worker-2'))]).toEqual([[], []]);
  });

  it('marks a pod bound to a node that is not Ready NotReady too', async () => {
    const { env, controller } = await start([[Resources.nodes, node('worker-1', ready('False', T0))]]);
    await controller.monitorNodeHealth();
    env.server.write(Resources.pods, 'ADDED', pod('late-1', 'worker-1'));
    await waitFor(() => env.ctx.informers.informer(Resources.pods).indexer.get('default', 'late-1'), { intervalMs: 2 });
    await controller.reconcile('default/late-1');
    expect(podReady(env, 'late-1')).toBe('False');
  });

  it('mirrors a cordon with the unschedulable taint, and leaves taints it does not own alone', async () => {
    const userTaint: Taint = { key: 'disktype', value: 'ssd', effect: 'NoSchedule' };
    const { env, controller } = await start([[Resources.nodes, node('worker-1', ready('True', T0), { unschedulable: true, taints: [userTaint] })]]);
    await controller.reconcile('worker-1');
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual(['disktype:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
    const uncordoned = serverNode(env, 'worker-1');
    env.server.write(Resources.nodes, 'MODIFIED', { ...uncordoned, spec: { ...uncordoned.spec, unschedulable: false } });
    await cacheSees(env, 'worker-1', (n) => n.spec?.unschedulable === false);
    await controller.reconcile('worker-1');
    expect(taintsOf(serverNode(env, 'worker-1'))).toEqual(['disktype:NoSchedule']);
  });

  it('runs its passes on its own until stopped', async () => {
    const { env, controller } = await start([[Resources.nodes, node('worker-1', ready('True', T0))]]);
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    await waitFor(async () => (await env.events()).length > 0, { intervalMs: 5 });
    expect(await env.events()).toEqual(['Normal RegisteredNode Node worker-1 event: Registered Node worker-1 in Controller']);
    stop.abort();
    await running;
  });
});
