import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { ObjectsClient } from '../objects-client';
import { FakeObjectsServer } from '../testing/fake-objects-server';
import { Resources, type KubeObject } from '../types';
import { EventRecorder } from './event-recorder';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '5' } };
const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker', uid: 'n1' } };

describe('EventRecorder', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const setup = async () => {
    const server = new FakeObjectsServer();
    const client = new ObjectsClient(await server.start());
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const recorder = new EventRecorder({ client, component: 'default-scheduler', clock });
    cleanups.push(() => server.stop(), () => client.close(), () => recorder.close());
    const events = () => [...server.objects.values()].filter((o) => o.kind === 'Event');
    return { server, clock, recorder, events };
  };

  it('writes a core/v1 Event about the object, named <object>.<hex time>, in its namespace (default for cluster-scoped objects)', async () => {
    const { recorder, events } = await setup();
    recorder.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web-1 to worker');
    recorder.event(node, 'Normal', 'RegisteredNode', 'Node worker event: Registered Node worker in Controller');
    await recorder.flush();
    const [first, second] = events();
    expect(first).toMatchObject({
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '5' },
      reason: 'Scheduled',
      type: 'Normal',
      count: 1,
      source: { component: 'default-scheduler' },
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:00Z',
      reportingComponent: 'default-scheduler',
    });
    expect(first!.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
    expect(second!.metadata.namespace).toBe('default');
  });

  it('folds the same event again into one with a count and the latest time; a different message is another event', async () => {
    const { recorder, events, clock } = await setup();
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await recorder.flush();
    clock.step(10_000);
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    recorder.event(pod, 'Warning', 'Unhealthy', 'Liveness probe failed');
    await recorder.flush();
    const all = events();
    expect(all).toHaveLength(2);
    const backoff = all.find((e) => e.reason === 'BackOff')!;
    expect(backoff).toMatchObject({ count: 3, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:10Z' });
  });

  it('combines more than 10 similar events (same reason, different messages) within 10 minutes into one', async () => {
    const { recorder, events } = await setup();
    for (let i = 0; i < 14; i++) recorder.event(pod, 'Warning', 'FailedCreate', `attempt ${i}`);
    await recorder.flush();
    const all = events();
    expect(all).toHaveLength(10);
    const combined = all.find((e) => String(e.message).startsWith('(combined from similar events): '))!;
    expect(combined).toMatchObject({ count: 5, message: '(combined from similar events): attempt 13' });
  });

  it('starts a new event when the one it would fold into is gone', async () => {
    const { recorder, events, server } = await setup();
    recorder.event(pod, 'Normal', 'Pulled', 'pulled');
    await recorder.flush();
    server.write(Resources.events, 'DELETED', events()[0]!);
    recorder.event(pod, 'Normal', 'Pulled', 'pulled');
    await recorder.flush();
    expect(events()).toHaveLength(1);
    expect(events()[0]!.count).toBe(1);
  });
});
