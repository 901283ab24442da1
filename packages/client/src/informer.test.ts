import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { FakeClock } from './clock';
import { Informer } from './informer';
import { ObjectsClient } from './objects-client';
import { FakeObjectsServer } from './testing/fake-objects-server';
import { Resources, type KubeObject } from './types';

const pod = (name: string, nodeName?: string): KubeObject => ({ metadata: { name, namespace: 'default' }, spec: nodeName ? { nodeName } : {} });

/** Unit tests on an in-memory Objects server; the real apiserver is in test/client/informer.test.ts. */
describe('Informer', () => {
  let server: FakeObjectsServer;
  let client: ObjectsClient;
  let informer: Informer;
  let events: string[];

  beforeEach(async () => {
    server = new FakeObjectsServer();
    client = new ObjectsClient(await server.start());
    events = [];
  });
  afterEach(async () => {
    await informer?.stop();
    client.close();
    server.stop();
  });

  const startInformer = (options: Partial<ConstructorParameters<typeof Informer>[0]> = {}) => {
    informer = new Informer({ client, resource: Resources.pods, namespace: 'default', backoff: { initialMs: 10, maxMs: 50 }, relistBackoff: { initialMs: 10, maxMs: 50 }, ...options });
    informer.addEventHandler({
      onAdd: (p, initial) => events.push(`add ${p.metadata.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (old, p) => events.push(`update ${p.metadata.name} ${old.metadata.resourceVersion}->${p.metadata.resourceVersion}`),
      onDelete: (p) => events.push(`delete ${p.metadata.name}`),
    });
    informer.start();
    return informer;
  };

  it('lists into the cache (hasSynced), then follows the watch: add, update, delete', async () => {
    server.write(Resources.pods, 'ADDED', pod('a'));
    server.write(Resources.pods, 'ADDED', { metadata: { name: 'elsewhere', namespace: 'kube-system' } });
    startInformer();
    expect(informer.hasSynced()).toBe(false);
    await informer.waitForSync(5_000);
    expect(informer.hasSynced()).toBe(true);
    expect(informer.indexer.listKeys()).toEqual(['default/a']);
    await waitFor(() => server.openWatches === 1, { what: 'the watch' });
    const b = server.write(Resources.pods, 'ADDED', pod('b'));
    server.write(Resources.pods, 'MODIFIED', { ...b, spec: { nodeName: 'node-1' } });
    server.write(Resources.pods, 'DELETED', pod('a'));
    await waitFor(() => events.length === 4, { what: 'four events' });
    expect(events).toEqual(['add a (initial)', 'add b', `update b ${b.metadata.resourceVersion}->${Number(b.metadata.resourceVersion) + 1}`, 'delete a']);
    expect(informer.indexer.get('default', 'b')?.spec?.nodeName).toBe('node-1');
    expect(informer.lastSyncResourceVersion()).toBe(String(Number(b.metadata.resourceVersion) + 2));
  });

  it('resumes the watch from the last resourceVersion after a break, missing nothing and not relisting', async () => {
    startInformer();
    await informer.waitForSync(5_000);
    await waitFor(() => server.openWatches === 1, { what: 'the watch' });
    server.write(Resources.pods, 'ADDED', pod('before'));
    await waitFor(() => events.includes('add before'), { what: 'the first event' });
    server.breakWatches();
    // Written while no watch is open: the resumed watch must replay them.
    server.write(Resources.pods, 'ADDED', pod('during-1'));
    server.write(Resources.pods, 'ADDED', pod('during-2'));
    await waitFor(() => events.length === 3, { what: 'the events written during the break' });
    expect(events).toEqual(['add before', 'add during-1', 'add during-2']);
    expect(server.calls.List).toBe(1);
    expect(informer.stats().watches).toBeGreaterThanOrEqual(2);
  });

  it('relists when its resourceVersion has been compacted away (410), and learns what was deleted meanwhile', async () => {
    server.write(Resources.pods, 'ADDED', pod('stays'));
    server.write(Resources.pods, 'ADDED', pod('goes'));
    startInformer();
    await informer.waitForSync(5_000);
    await waitFor(() => server.openWatches === 1, { what: 'the watch' });
    server.breakWatches();
    server.write(Resources.pods, 'DELETED', pod('goes'));
    server.write(Resources.pods, 'ADDED', pod('new'));
    server.compact();
    await waitFor(() => events.length === 4, { what: 'the relist' });
    expect(events.slice(2).sort()).toEqual(['add new', 'delete goes']);
    expect(informer.indexer.listKeys().sort()).toEqual(['default/new', 'default/stays']);
    expect(server.calls.List).toBe(2);
  });

  it("waits client-go's relist back-off (800 ms, doubling, jittered) before listing again after a 410, from the start once a watch worked", async () => {
    const clock = new FakeClock(0);
    startInformer({ clock, relistBackoff: undefined }); // the defaults
    await informer.waitForSync(5_000);
    await waitFor(() => server.openWatches === 1, { what: 'the watch' });
    // The watch breaks, and its resourceVersion is compacted away (by writes it does not watch) before it is resumed.
    let elsewhere = 0;
    const expire = async () => {
      const watches = server.calls.Watch!;
      server.breakWatches();
      server.write(Resources.pods, 'ADDED', { metadata: { name: `elsewhere-${++elsewhere}`, namespace: 'kube-system' } });
      server.compact();
      await waitFor(() => clock.pendingTimers === 1 || undefined, { what: 'the back-off after the break' });
      await clock.advance(50);
      await waitFor(() => (server.calls.Watch === watches + 1 && server.openWatches === 0 && clock.pendingTimers === 1) || undefined, { what: 'the 410 and the wait before relisting' });
    };
    await expire();
    expect(server.calls.List).toBe(1);
    await clock.advance(799);
    expect(server.calls.List).toBe(1);
    await clock.advance(801);
    await waitFor(() => server.openWatches === 1, { what: 'the relist and the new watch' });
    expect(server.calls.List).toBe(2);

    // Expired again at once: twice as long.
    await expire();
    await clock.advance(1_599);
    expect(server.calls.List).toBe(2);
    await clock.advance(1_601);
    await waitFor(() => server.openWatches === 1, { what: 'the second relist' });
    expect(server.calls.List).toBe(3);

    // A watch that delivered an event worked: the next relist waits the first step again.
    server.write(Resources.pods, 'ADDED', pod('a'));
    await waitFor(() => events.includes('add a'), { what: 'the event' });
    await expire();
    await clock.advance(1_600);
    await waitFor(() => server.openWatches === 1, { what: 'the third relist' });
    expect(server.calls.List).toBe(4);
  });

  it('keeps custom indices, replays the cache to a handler added late, and survives a handler that throws', async () => {
    server.write(Resources.pods, 'ADDED', pod('a', 'node-1'));
    server.write(Resources.pods, 'ADDED', pod('b', 'node-2'));
    startInformer({ indexers: { byNode: (p) => (p.spec?.nodeName ? [String(p.spec.nodeName)] : []) } });
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('a buggy handler');
      },
    });
    await informer.waitForSync(5_000);
    expect(informer.indexer.byIndex('byNode', 'node-1').map((p) => p.metadata.name)).toEqual(['a']);
    const late: string[] = [];
    informer.addEventHandler({ onAdd: (p, initial) => late.push(`${p.metadata.name} ${initial}`) });
    expect(late.sort()).toEqual(['a true', 'b true']);
    await waitFor(() => server.openWatches === 1, { what: 'the watch' });
    server.write(Resources.pods, 'ADDED', pod('c', 'node-1'));
    await waitFor(() => informer.indexer.byIndex('byNode', 'node-1').length === 2, { what: 'c on node-1' });
    expect(events).toContain('add c');
  });

  it('stop ends the watch; the cache keeps what it had', async () => {
    server.write(Resources.pods, 'ADDED', pod('a'));
    startInformer();
    await informer.waitForSync(5_000);
    await waitFor(() => server.openWatches === 1, { what: 'the watch' });
    await informer.stop();
    await waitFor(() => server.openWatches === 0, { what: 'the watch to close' });
    expect(informer.indexer.listKeys()).toEqual(['default/a']);
  });
});
