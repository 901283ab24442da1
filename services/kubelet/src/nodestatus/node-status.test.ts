import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventRecorder, FakeClock, FakeObjectsServer, metaTime, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { parseKubeletFlags, type KubeletConfig } from '../config';
import { HEALTHY, type NodeHealth } from './conditions';
import { KUBELET_VERSION } from './node-info';
import { NodeStatusManager } from './node-status';

const log = createLogger('kubelet', 'silent');
const START = Date.parse('2025-03-01T10:00:00Z');
const NODE_KEY = '/nodes//worker-1';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

describe('NodeStatusManager', () => {
  let server: FakeObjectsServer;
  let client: ObjectsClient;
  let clock: FakeClock;
  let recorder: EventRecorder;
  let manager: NodeStatusManager | undefined;

  beforeEach(async () => {
    server = new FakeObjectsServer();
    client = new ObjectsClient(await server.start());
    clock = new FakeClock(START);
    recorder = new EventRecorder({ client, component: 'kubelet', host: 'worker-1', clock });
  });

  afterEach(async () => {
    manager?.stop();
    await manager?.idle();
    manager = undefined;
    await recorder.close();
    client.close();
    server.stop();
  });

  const config = (...extra: string[]): Readonly<KubeletConfig> =>
    parseKubeletFlags([
      '--node-name', 'worker-1',
      '--node-ip', '127.18.0.3',
      '--pod-cidr', '127.244.1.0/24',
      '--port', '10250',
      '--node-labels', 'node-role.kubernetes.io/worker=,disktype=ssd',
      '--register-with-taints', 'dedicated=infra:NoSchedule',
      '--capacity', 'cpu=4,memory=6Gi,pods=50',
      ...extra,
    ]);

  const node = () => server.objects.get(NODE_KEY) as KubeObject;
  const conditions = () => (node().status as { conditions: Condition[] }).conditions;
  const events = async () => {
    await recorder.flush();
    return [...server.objects.values()].filter((o) => o.kind === 'Event').map((e) => ({ reason: e.reason as string, message: e.message as string, count: e.count as number, involvedObject: e.involvedObject }));
  };
  const newManager = (cfg = config(), health: () => NodeHealth = () => HEALTHY) => (manager = new NodeStatusManager({ client, config: cfg, recorder, clock, log, health }));

  it('registers the Node with labels, taints, podCIDR, addresses, endpoint, capacity and conditions', async () => {
    await newManager().register();
    expect(manager!.registered).toBe(true);
    const n = node();
    expect(n.metadata.labels).toEqual({
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'worker-1',
      'kubernetes.io/os': 'linux',
      'node-role.kubernetes.io/worker': '',
      disktype: 'ssd',
    });
    expect(n.spec).toEqual({ podCIDR: '127.244.1.0/24', podCIDRs: ['127.244.1.0/24'], taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] });
    const status = n.status as Record<string, unknown>;
    const capacity = { cpu: '4', memory: '6Gi', pods: '50', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
    expect(status.capacity).toEqual(capacity);
    expect(status.allocatable).toEqual(capacity);
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: '127.18.0.3' },
      { type: 'Hostname', address: 'worker-1' },
    ]);
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    const now = metaTime(START);
    expect(conditions()).toEqual([
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: now, lastTransitionTime: now },
      { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: now, lastTransitionTime: now },
      { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: now, lastTransitionTime: now },
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
    ]);
    const info = status.nodeInfo as Record<string, string>;
    expect(info).toMatchObject({ kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION, containerRuntimeVersion: 'kubelab://0.1.0', operatingSystem: 'linux', architecture: 'amd64' });
    expect(info.machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(info.systemUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(info.bootID).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.kernelVersion).not.toBe('');
    expect(info.osImage).not.toBe('');

    const recorded = await events();
    expect(recorded.map((e) => [e.reason, e.message])).toEqual([
      ['Starting', 'Starting kubelet.'],
      ['NodeHasSufficientMemory', 'Node worker-1 status is now: NodeHasSufficientMemory'],
      ['NodeHasNoDiskPressure', 'Node worker-1 status is now: NodeHasNoDiskPressure'],
      ['NodeHasSufficientPID', 'Node worker-1 status is now: NodeHasSufficientPID'],
      ['NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods'],
      ['NodeReady', 'Node worker-1 status is now: NodeReady'],
    ]);
    // The kubelet's nodeRef: the node's name as its UID (what `kubectl describe node` looks for).
    expect(recorded[0]!.involvedObject).toEqual({ kind: 'Node', name: 'worker-1', uid: 'worker-1' });
  });

  it('each machine-looking node gets its own machine ID', async () => {
    await newManager().register();
    const first = (node().status as { nodeInfo: { machineID: string } }).nodeInfo.machineID;
    const other = new NodeStatusManager({ client, config: config('--node-name', 'worker-2'), recorder, clock, log });
    await other.register();
    const second = (server.objects.get('/nodes//worker-2')!.status as { nodeInfo: { machineID: string } }).nodeInfo.machineID;
    other.stop();
    expect(second).not.toBe(first);
  });

  it('re-registers an existing Node: fixes default labels and podCIDR, keeps the rest, turns it Ready again', async () => {
    const before = metaTime(START - 3_600_000);
    const stale = metaTime(START - 60_000);
    server.write(Resources.nodes, 'ADDED', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-1', uid: 'node-uid', labels: { 'kubernetes.io/hostname': 'old-name', 'kubernetes.io/os': 'linux', team: 'a' } },
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: stale, lastTransitionTime: stale },
          { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: stale, lastTransitionTime: before },
          { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'set by someone else', lastHeartbeatTime: before, lastTransitionTime: before },
          { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: stale, lastTransitionTime: stale },
        ],
      },
    });
    await newManager().register();
    const n = node();
    expect(n.metadata.uid).toBe('node-uid');
    expect(n.metadata.labels).toEqual({
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'worker-1',
      'kubernetes.io/os': 'linux',
      team: 'a',
    });
    // Taints belong to the cluster once registered (the node controller removes unreachable ones).
    expect(n.spec).toEqual({ taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }], podCIDR: '127.244.1.0/24', podCIDRs: ['127.244.1.0/24'] });
    const now = metaTime(START);
    expect(conditions().map((c) => [c.type, c.status, c.reason, c.lastTransitionTime, c.lastHeartbeatTime])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', now, now],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', before, now],
      ['NetworkUnavailable', 'False', 'RouteCreated', before, before],
      ['Ready', 'True', 'KubeletReady', now, now],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', now, now],
    ]);
    expect((await events()).map((e) => e.reason)).toEqual(['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeAllocatableEnforced', 'NodeReady']);
  });

  it('a restart on a Ready node records the start but no NodeReady, and keeps transition times', async () => {
    await newManager().register();
    manager!.stop();
    clock.step(60_000);
    await newManager().register();
    expect(conditions().find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: metaTime(START), lastHeartbeatTime: metaTime(START + 60_000) });
    const reasons = (await events()).map((e) => `${e.reason}x${e.count}`);
    expect(reasons).toEqual(['Startingx2', 'NodeHasSufficientMemoryx2', 'NodeHasNoDiskPressurex2', 'NodeHasSufficientPIDx2', 'NodeAllocatableEnforcedx2', 'NodeReadyx1']);
  });

  it('posts the status only when it changed, and at least every --node-status-report-frequency', async () => {
    let health: NodeHealth = HEALTHY;
    await newManager(config('--node-status-update-frequency', '10s'), () => health).register();
    manager!.start();
    const posts = () => server.calls.UpdateStatus ?? 0;
    expect(posts()).toBe(1);
    const tick = async (ms: number) => {
      await clock.advance(ms);
      await manager!.idle();
    };

    await tick(10_000);
    await tick(10_000);
    expect(posts()).toBe(1);
    expect(server.calls.Get).toBeGreaterThanOrEqual(3);

    health = { ...HEALTHY, memoryPressure: true };
    await tick(10_000);
    expect(posts()).toBe(2);
    expect(conditions()[0]).toMatchObject({ type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available', lastTransitionTime: metaTime(START + 30_000) });
    expect((await events()).map((e) => e.reason)).toContain('NodeHasInsufficientMemory');

    // Someone else (the node lifecycle controller) changed a condition: the kubelet puts it right at once.
    const current = node();
    const marked = (current.status as { conditions: Condition[] }).conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c));
    server.write(Resources.nodes, 'MODIFIED', { ...current, status: { ...current.status, conditions: marked } });
    await tick(10_000);
    expect(posts()).toBe(3);
    expect(conditions().find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: metaTime(START + 40_000) });

    // Nothing changes for 5 minutes: one post when the last report is 5 minutes old, none before.
    for (let i = 0; i < 29; i++) await tick(10_000);
    expect(posts()).toBe(3);
    await tick(10_000);
    expect(posts()).toBe(4);
    expect(conditions().find((c) => c.type === 'Ready')!.lastHeartbeatTime).toBe(metaTime(START + 340_000));
  });

  it('keeps retrying the registration while the apiserver is away', async () => {
    const port = server.port;
    server.stop();
    client.close();
    await recorder.close();
    // A client to a port nobody listens on for now; the apiserver comes up on it later.
    client = new ObjectsClient(`127.0.0.1:${port}`);
    recorder = new EventRecorder({ client, component: 'kubelet', host: 'worker-1' });
    let done = false;
    const registering = newManager().register().then(() => (done = true));
    for (let failures = 0; failures < 3; failures++) {
      // A failed attempt waits on the clock before the next one.
      await waitFor(() => clock.pendingTimers > 0, { what: 'a failed registration attempt' });
      expect(done).toBe(false);
      await clock.advance(7_000);
    }
    server = new FakeObjectsServer();
    server.port = port;
    await server.start();
    await waitFor(
      async () => {
        await clock.advance(7_000);
        return done;
      },
      { timeoutMs: 20_000, what: 'the registration' },
    );
    await registering;
    expect(conditions().find((c) => c.type === 'Ready')!.status).toBe('True');
  });
});
