import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, FakeObjectsServer, microTime, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { NodeLease } from './node-lease';

const log = createLogger('kubelet', 'silent');
const START = Date.parse('2025-03-01T10:00:00Z');
const LEASE_KEY = 'coordination.k8s.io/leases/kube-node-lease/worker-1';

describe('NodeLease', () => {
  let server: FakeObjectsServer;
  let client: ObjectsClient;
  let clock: FakeClock;
  let lease: NodeLease | undefined;

  beforeEach(async () => {
    server = new FakeObjectsServer();
    client = new ObjectsClient(await server.start());
    clock = new FakeClock(START);
    server.write(Resources.nodes, 'ADDED', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', uid: 'node-uid-1' } });
  });

  afterEach(async () => {
    lease?.stop();
    await lease?.idle();
    lease = undefined;
    client.close();
    server.stop();
  });

  const stored = () => server.objects.get(LEASE_KEY) as KubeObject & { spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string } };
  const start = (leaseDurationSeconds = 40) => {
    lease = new NodeLease({ client, nodeName: 'worker-1', leaseDurationSeconds, clock, log, random: () => 1 });
    lease.start();
    return lease.idle();
  };
  const tick = async (ms: number) => {
    await clock.advance(ms);
    await lease!.idle();
  };

  it('creates kube-node-lease/<node>, owned by the Node, then renews it every quarter of its duration', async () => {
    await start(40);
    expect(stored().metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: 'node-uid-1' }]);
    expect(stored().spec).toEqual({ holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: microTime(START) });
    expect(stored().spec.renewTime).toBe('2025-03-01T10:00:00.000000Z');
    const updates = () => server.calls.Update ?? 0;
    expect(updates()).toBe(0);

    await tick(9_999);
    expect(updates()).toBe(0);
    await tick(1);
    expect(updates()).toBe(1);
    expect(stored().spec.renewTime).toBe(microTime(START + 10_000));
    await tick(10_000);
    await tick(10_000);
    expect(updates()).toBe(3);
    expect(stored().spec.renewTime).toBe(microTime(START + 30_000));
    // The optimistic path: the Lease it wrote last is updated without reading it again.
    expect(server.calls.Get).toBe(2); // the Lease (not found) and the Node, at creation
  });

  it('a shorter lease duration renews faster (a quarter of it)', async () => {
    await start(8);
    await tick(2_000);
    await tick(2_000);
    expect(server.calls.Update).toBe(2);
    expect(stored().spec.renewTime).toBe(microTime(START + 4_000));
  });

  it('on Conflict it reads the Lease again and renews it', async () => {
    await start(40);
    // Another writer changed the Lease (here: someone takes it over): our copy is stale.
    const current = stored();
    server.write(Resources.leases, 'MODIFIED', { ...current, spec: { ...current.spec, holderIdentity: 'someone-else' } });
    const gets = server.calls.Get ?? 0;
    await tick(10_000);
    expect(server.calls.Update).toBe(2); // the conflict, then the renewal
    expect(server.calls.Get).toBe(gets + 1);
    expect(stored().spec).toMatchObject({ holderIdentity: 'worker-1', renewTime: microTime(START + 10_000) });
  });

  it('a deleted Lease is created again', async () => {
    await start(40);
    server.write(Resources.leases, 'DELETED', stored());
    await tick(10_000);
    expect(stored().spec).toMatchObject({ holderIdentity: 'worker-1', renewTime: microTime(START + 10_000) });
    expect(stored().metadata.ownerReferences).toHaveLength(1);
  });

  it('keeps trying with back-off while the apiserver is away, and renews once it is back', async () => {
    await start(40);
    const port = server.port;
    server.stop();
    await clock.advance(10_000);
    // The update failed; reading the Lease is retried on the clock: 100 ms doubling (jitter pinned to its top).
    for (const delay of [100, 200, 400, 800, 1_600]) {
      await waitFor(() => clock.pendingTimers === 1, { what: 'the next back-off' });
      await clock.advance(delay - 1);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(1);
    }
    server = new FakeObjectsServer();
    server.port = port;
    await server.start();
    server.write(Resources.nodes, 'ADDED', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', uid: 'node-uid-1' } });
    await waitFor(
      async () => {
        await clock.advance(1_000);
        return server.objects.has(LEASE_KEY);
      },
      { timeoutMs: 20_000, what: 'the Lease to be written again' },
    );
    expect(stored().spec.holderIdentity).toBe('worker-1');
    expect(Date.parse(stored().spec.renewTime)).toBeGreaterThan(START + 10_000);
  });
});
