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
});
