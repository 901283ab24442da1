import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, isConflict, isNotFound } from '@kubelab/apimachinery';
import { waitFor } from '@kubelab/component-base';
import { ApiserverUnavailableError } from './errors';
import { ObjectsClient } from './objects-client';
import { FakeObjectsServer } from './testing/fake-objects-server';
import { Resources } from './types';

describe('ObjectsClient against an in-memory Objects server', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  const start = async (port = 0) => {
    const server = new FakeObjectsServer();
    server.port = port;
    const target = await server.start();
    cleanups.push(() => server.stop());
    return { server, target };
  };

  it('creates, gets, lists and updates objects as JSON', async () => {
    const { target } = await start();
    const client = new ObjectsClient(target);
    cleanups.push(() => client.close());
    const created = await client.create(Resources.configmaps, { metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    expect(created.metadata.resourceVersion).toBeDefined();
    expect((await client.get(Resources.configmaps, 'default', 'c')).data).toEqual({ a: '1' });
    const list = await client.list(Resources.configmaps, { namespace: 'default' });
    expect(list.items.map((o) => o.metadata.name)).toEqual(['c']);
    expect(list.continue).toBeUndefined();
    const updated = await client.update(Resources.configmaps, { ...created, data: { a: '2' } });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  it("rebuilds the apiserver's Status as an ApiError (404, 409 Conflict)", async () => {
    const { target } = await start();
    const client = new ObjectsClient(target);
    cleanups.push(() => client.close());
    const missing = await client.get(Resources.pods, 'default', 'nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).status.message).toBe('pods "nope" not found');
    const created = await client.create(Resources.configmaps, { metadata: { name: 'c', namespace: 'default' } });
    await client.update(Resources.configmaps, { ...created, data: { x: 'y' } });
    const stale = await client.update(Resources.configmaps, { ...created, data: { x: 'z' } }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as ApiError).code).toBe(409);
  });

  it('fails at once and clearly while the server is down, and works again once it is back', async () => {
    const { server, target } = await start();
    const client = new ObjectsClient(target);
    cleanups.push(() => client.close());
    await client.create(Resources.configmaps, { metadata: { name: 'c', namespace: 'default' } });
    server.stop();
    const started = Date.now();
    const down = await client.get(Resources.configmaps, 'default', 'c').catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ApiserverUnavailableError);
    expect((down as Error).message).toMatch(new RegExp(`object API at ${target} is unavailable`));
    expect(Date.now() - started).toBeLessThan(5_000);
    const { server: again } = await start(server.port);
    again.write(Resources.configmaps, 'ADDED', { metadata: { name: 'back', namespace: 'default' } });
    const back = await waitFor(() => client.get(Resources.configmaps, 'default', 'back'), { timeoutMs: 10_000, what: 'the client to reconnect' });
    expect(back.metadata.name).toBe('back');
  });

  it('watch yields events in order and ends quietly when stopped', async () => {
    const { server, target } = await start();
    const client = new ObjectsClient(target);
    cleanups.push(() => client.close());
    const watch = client.watch(Resources.configmaps, { namespace: 'default', resourceVersion: '1' });
    const seen: string[] = [];
    const done = (async () => {
      for await (const event of watch) {
        seen.push(`${event.type} ${event.object.metadata && 'name' in event.object.metadata ? String(event.object.metadata.name) : ''}`);
        if (seen.length === 3) watch.stop();
      }
    })();
    await waitFor(() => server.openWatches === 1, { what: 'the watch to open' });
    const a = server.write(Resources.configmaps, 'ADDED', { metadata: { name: 'a', namespace: 'default' } });
    server.write(Resources.configmaps, 'ADDED', { metadata: { name: 'other', namespace: 'kube-system' } });
    server.write(Resources.configmaps, 'MODIFIED', a);
    server.write(Resources.configmaps, 'DELETED', a);
    await done;
    expect(seen).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
  });

  it('a broken watch throws ApiserverUnavailableError to the iterating code', async () => {
    const { server, target } = await start();
    const client = new ObjectsClient(target);
    cleanups.push(() => client.close());
    const watch = client.watch(Resources.pods, { resourceVersion: '1' });
    const result = (async () => {
      for await (const _ of watch) {
        /* nothing comes */
      }
    })().catch((e: unknown) => e);
    await waitFor(() => server.openWatches === 1, { what: 'the watch to open' });
    server.breakWatches();
    expect(await result).toBeInstanceOf(ApiserverUnavailableError);
  });
});
