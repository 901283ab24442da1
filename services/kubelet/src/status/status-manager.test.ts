import { FakeClock, FakeObjectsServer, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger } from '@kubelab/component-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { PodStatus } from './api-types';
import { StatusManager } from './status-manager';

let server: FakeObjectsServer | undefined;
let client: ObjectsClient | undefined;
afterEach(() => {
  client?.close();
  server?.stop();
});

async function setup(): Promise<{ manager: StatusManager; clock: FakeClock; pod: KubeObject; calls: () => number }> {
  server = new FakeObjectsServer();
  client = new ObjectsClient(await server.start());
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const pod = await client.create(Resources.pods, {
    metadata: { name: 'p', namespace: 'default' },
    spec: { nodeName: 'n', containers: [] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] },
  });
  const s = server;
  return { manager: new StatusManager({ client, clock, log: createLogger('test', 'silent') }), clock, pod, calls: () => s.calls.UpdateStatus ?? 0 };
}

const ready = (status: 'True' | 'False'): PodStatus => ({
  phase: 'Running',
  conditions: [
    { type: 'Ready', status, lastProbeTime: null },
    { type: 'PodScheduled', status: 'False' },
  ],
  hostIP: '127.18.0.2',
});

describe('StatusManager', () => {
  it("writes only changes; keeps others' conditions, transition times of unchanged conditions and the startTime", async () => {
    const { manager, clock, pod, calls } = await setup();
    await manager.setPodStatus(pod, ready('False'));
    const first = server!.objects.get('/pods/default/p')!.status as PodStatus;
    expect(first.conditions).toEqual([
      { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' },
    ]);
    expect(first.startTime).toBe('2026-01-01T00:00:00Z');
    clock.step(5_000);
    await manager.setPodStatus(pod, ready('False'));
    expect(calls()).toBe(1);
    clock.step(5_000);
    await manager.setPodStatus(pod, ready('True'));
    const second = server!.objects.get('/pods/default/p')!.status as PodStatus;
    expect(second.conditions![0]).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:10Z' });
    expect(second.startTime).toBe('2026-01-01T00:00:00Z');
    expect(calls()).toBe(2);
  });

  it('never moves a pod out of a terminal phase', async () => {
    const { manager, pod } = await setup();
    await manager.setPodStatus(pod, { ...ready('False'), phase: 'Succeeded' });
    await manager.setPodStatus(pod, ready('False'));
    expect((server!.objects.get('/pods/default/p')!.status as PodStatus).phase).toBe('Succeeded');
  });

  it('retries a conflict on a freshly read pod, keeping what others wrote meanwhile', async () => {
    const { manager, pod } = await setup();
    const c = client!;
    let conflicts = 1;
    const update = c.updateStatus.bind(c);
    c.updateStatus = (async (...args: Parameters<typeof update>) => {
      if (conflicts-- > 0) {
        // Someone else adds a condition first.
        const current = server!.objects.get('/pods/default/p')!;
        server!.write(Resources.pods, 'MODIFIED', { ...current, status: { ...current.status, conditions: [...((current.status?.conditions as unknown[]) ?? []), { type: 'DisruptionTarget', status: 'True' }] } });
        const { ApiError, failureStatus } = await import('@kubelab/apimachinery');
        throw new ApiError(failureStatus(409, 'Conflict', 'the object has been modified'));
      }
      return update(...args);
    }) as typeof update;
    await manager.setPodStatus(pod, ready('True'));
    const types = ((server!.objects.get('/pods/default/p')!.status as PodStatus).conditions ?? []).map((x) => x.type);
    expect(types).toEqual(['Ready', 'PodScheduled', 'DisruptionTarget']);
  });

  it('a pod that is gone is no error', async () => {
    const { manager, pod } = await setup();
    server!.write(Resources.pods, 'DELETED', server!.objects.get('/pods/default/p')!);
    await expect(manager.setPodStatus(pod, ready('True'))).resolves.toBeUndefined();
  });

  it('coalesces: a status set while an older one waits for its write replaces it, and only the newest is written', async () => {
    const { manager, pod, calls } = await setup();
    const c = client!;
    const written: string[] = [];
    const update = c.updateStatus.bind(c);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    c.updateStatus = (async (...args: Parameters<typeof update>) => {
      written.push((args[1].status as PodStatus).conditions![0]!.status);
      if (written.length === 1) await held; // the first write is slow: two more statuses come meanwhile
      return update(...args);
    }) as typeof update;
    const first = manager.setPodStatus(pod, ready('False'));
    const second = manager.setPodStatus(pod, ready('True'));
    const third = manager.setPodStatus(pod, { ...ready('True'), hostIP: '127.18.0.9' });
    release();
    const [a, b, d] = await Promise.all([first, second, third]);
    expect(written).toEqual(['False', 'True']);
    expect(calls()).toBe(2);
    expect((a!.status as PodStatus).conditions![0]!.status).toBe('False');
    // The second was never written: its waiter is told of the write that replaced it.
    expect(b).toBe(d);
    expect((d!.status as PodStatus).hostIP).toBe('127.18.0.9');
    expect((server!.objects.get('/pods/default/p')!.status as PodStatus).hostIP).toBe('127.18.0.9');
  });

  it('a deferred status waits for the end of the turn: a newer one set in the same turn is the only write', async () => {
    const { manager, pod, calls } = await setup();
    const before = manager.setPodStatus(pod, { ...ready('False'), phase: 'Pending' }, { deferred: true });
    const after = manager.setPodStatus(pod, ready('True'));
    const [x, y] = await Promise.all([before, after]);
    expect(calls()).toBe(1);
    expect(x).toBe(y);
    const stored = server!.objects.get('/pods/default/p')!.status as PodStatus;
    expect(stored.phase).toBe('Running');
    expect(stored.conditions![0]!.status).toBe('True');
  });

  it('a deferred status alone is written at the end of the turn; one that changes nothing is not written', async () => {
    const { manager, pod, calls } = await setup();
    await manager.setPodStatus(pod, ready('False'), { deferred: true });
    expect(calls()).toBe(1);
    const stored = manager.get(pod.metadata.uid!)!;
    await expect(manager.setPodStatus(pod, ready('False'), { deferred: true })).resolves.toBe(stored);
    expect(calls()).toBe(1);
  });

  it('a status that is not deferred, set after a deferred one, is written at once (no wait for the end of the turn)', async () => {
    const { manager, pod } = await setup();
    const c = client!;
    const update = c.updateStatus.bind(c);
    let started = 0;
    c.updateStatus = ((...args: Parameters<typeof update>) => {
      started++;
      return update(...args);
    }) as typeof update;
    const before = manager.setPodStatus(pod, ready('False'), { deferred: true });
    expect(started).toBe(0);
    const after = manager.setPodStatus(pod, ready('True'));
    expect(started).toBe(1);
    await Promise.all([before, after]);
    expect(started).toBe(1);
  });

  it('every waiter of a failed write is told', async () => {
    const { manager, pod } = await setup();
    const c = client!;
    c.updateStatus = (async () => {
      throw new Error('apiserver away');
    }) as typeof c.updateStatus;
    const first = manager.setPodStatus(pod, ready('False'), { deferred: true });
    const second = manager.setPodStatus(pod, ready('True'));
    await expect(first).rejects.toThrow('apiserver away');
    await expect(second).rejects.toThrow('apiserver away');
  });
});
