import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { ObjectsClient } from '../objects-client';
import { FakeObjectsServer } from '../testing/fake-objects-server';
import { Resources, type KubeObject } from '../types';
import type { CoreEvent } from './event-correlator';
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

  it('creates a fold again, under its name and with its count, when the event it folds into is gone (recordEvent)', async () => {
    const { recorder, events, server } = await setup();
    recorder.event(pod, 'Normal', 'Pulled', 'pulled');
    await recorder.flush();
    const first = events()[0]!;
    server.write(Resources.events, 'DELETED', first);
    recorder.event(pod, 'Normal', 'Pulled', 'pulled');
    await recorder.flush();
    expect(events()).toHaveLength(1);
    expect(events()[0]).toMatchObject({ metadata: { name: first.metadata.name }, count: 2, firstTimestamp: first.firstTimestamp });
  });

  it('sends one write for repeats recorded while an earlier write of theirs still waits; nothing is read before a patch', async () => {
    const { recorder, events, server } = await setup();
    // The first event is on its way; the repeats queue behind it (one object: one write at a time), and fold into one write.
    for (let i = 0; i < 6; i++) recorder.event(node, 'Normal', 'NodeReady', 'Node worker status is now: NodeReady');
    await recorder.flush();
    expect(server.calls).toEqual({ Create: 1, Patch: 1 });
    expect(events()).toHaveLength(1);
    expect(events()[0]).toMatchObject({ reason: 'NodeReady', count: 6 });
  });

  /** A client whose writes answer only when the test says so, to see what is under way. */
  const heldClient = () => {
    const calls: Array<{ what: string; done: () => void }> = [];
    const answer = (what: string) => new Promise<KubeObject>((resolve) => calls.push({ what, done: () => resolve({ metadata: {} }) }));
    const client = {
      create: (_: unknown, e: CoreEvent) => answer(`create ${e.involvedObject.name} ${e.reason}`),
      patch: (_: unknown, _ns: string, name: string) => answer(`patch ${name.split('.')[0]}`),
    } as unknown as ObjectsClient;
    const inFlight = () => calls.filter((c) => c.what !== 'done').map((c) => c.what);
    const finish = async (what: string) => {
      const call = calls.find((c) => c.what === what)!;
      call.done();
      call.what = 'done';
      // The answer's promise chain (and the next send) runs before the next macrotask.
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { client, inFlight, finish };
  };
  const podNamed = (name: string): KubeObject => ({ ...pod, metadata: { ...pod.metadata, name, uid: name } });

  it('writes one event at a time by default (client-go), in the order recorded', async () => {
    const { client, inFlight, finish } = heldClient();
    const recorder = new EventRecorder({ client, component: 'kubelet', host: 'worker', clock: new FakeClock(0) });
    for (const name of ['p1', 'p2', 'p3']) recorder.event(podNamed(name), 'Normal', 'Pulled', 'pulled');
    for (const name of ['p1', 'p2', 'p3']) {
      expect(inFlight()).toEqual([`create ${name} Pulled`]);
      await finish(`create ${name} Pulled`);
    }
    expect(inFlight()).toEqual([]);
    await recorder.flush();
    await recorder.close();
  });

  it('writes 25 events about one object from one source at once, then one every 5 minutes (EventSourceObjectSpamFilter)', async () => {
    const { recorder, events, clock, server } = await setup();
    for (let i = 0; i < 40; i++) {
      recorder.event(pod, 'Normal', 'Started', `started ${i}`);
      await recorder.flush();
    }
    // 9 events of their own, then the combined one: created, and patched for the 15 others that passed.
    expect(events()).toHaveLength(10);
    expect(server.calls).toEqual({ Create: 10, Patch: 15 });
    const combined = () => events().find((e) => String(e.message).startsWith('(combined from similar events): '))!;
    expect(combined()).toMatchObject({ count: 16, message: '(combined from similar events): started 24' });
    // Another object, or another source, has a bucket of its own.
    recorder.event(node, 'Normal', 'Started', 'started');
    await recorder.flush();
    expect(events()).toHaveLength(11);
    // Five minutes give one token back; the count has gone on counting the skipped events.
    clock.step(300_000);
    recorder.event(pod, 'Normal', 'Started', 'started 40');
    recorder.event(pod, 'Normal', 'Started', 'started 41');
    await recorder.flush();
    expect(combined()).toMatchObject({ count: 32, message: '(combined from similar events): started 40' });
  });
});
