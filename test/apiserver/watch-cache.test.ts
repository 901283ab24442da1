import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { etcdctl, startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The watch cache seen from outside, over plain HTTP: lists reflect every acknowledged write,
 * a watch resumes from any resourceVersion in the cache's window (and from the store's history
 * beyond it), and one the store compacted away gets the 410 Expired ERROR event that makes
 * informers relist.
 */
let store: ServerProcess;
let apiserver: ApiserverProcess;

beforeAll(async () => {
  store = await startKubelabStore();
  apiserver = await startKubelabApiserver(store.endpoint, { args: ['--default-watch-cache-size', '5'] });
});

afterAll(async () => {
  await apiserver?.stop();
  await store?.stop();
});

async function createConfigMap(name: string): Promise<string> {
  const res = await fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name } }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

async function listNames(): Promise<{ names: string[]; resourceVersion: string }> {
  const list = (await (await fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps`)).json()) as { metadata: { resourceVersion: string }; items: Array<{ metadata: { name: string } }> };
  return { names: list.items.map((i) => i.metadata.name), resourceVersion: list.metadata.resourceVersion };
}

/** Collects a watch's events until `until` says stop. */
function watchEvents(resourceVersion: string, query = ''): { events: Array<{ type: string; object: { metadata?: { name?: string }; code?: number; message?: string } }>; stop(): void } {
  const events: Array<{ type: string; object: { metadata?: { name?: string }; code?: number; message?: string } }> = [];
  let buffered = '';
  const req = http.get(`${apiserver.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${resourceVersion}${query}`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line) events.push(JSON.parse(line));
    });
  });
  req.on('error', () => {});
  return { events, stop: () => req.destroy() };
}

describe('the watch cache', () => {
  it('lists every acknowledged write at once, with a resourceVersion no older than the write', async () => {
    await listNames(); // the cache starts with the first request
    for (const name of ['a', 'b', 'c']) {
      const rv = await createConfigMap(name);
      const list = await listNames();
      expect(list.names).toContain(name);
      expect(Number(list.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
    }
  });

  it('resumes a watch from a resourceVersion in its window with exactly the later events', async () => {
    const from = await createConfigMap('d');
    await createConfigMap('e');
    await createConfigMap('f');
    const watch = watchEvents(from);
    try {
      await waitFor(() => watch.events.length >= 2, { timeoutMs: 10_000, what: 'two replayed events' });
      expect(watch.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED e', 'ADDED f']);
      await createConfigMap('g');
      await waitFor(() => watch.events.length >= 3, { timeoutMs: 10_000, what: 'the live event' });
      expect(watch.events[2]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'g' } } });
    } finally {
      watch.stop();
    }
  });

  it('resumes a watch from before its window from the store, which still has that history', async () => {
    const old = await createConfigMap('h');
    for (let i = 0; i < 8; i++) await createConfigMap(`later-${i}`);
    const watch = watchEvents(old);
    try {
      await waitFor(() => watch.events.length >= 8, { timeoutMs: 10_000, what: 'the eight later events' });
      expect(watch.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([...Array(8).keys()].map((i) => `ADDED later-${i}`));
    } finally {
      watch.stop();
    }
  });

  it('answers a watch from a revision the store compacted away with a 410 Expired ERROR event', async () => {
    const old = await createConfigMap('i');
    let now = old;
    for (let i = 0; i < 6; i++) now = await createConfigMap(`j-${i}`); // past the cache's window of 5
    expect(etcdctl(store.endpoint, ['compact', now]).status).toBe(0);
    const watch = watchEvents(old);
    try {
      await waitFor(() => watch.events.length >= 1, { timeoutMs: 10_000, what: 'the ERROR event' });
      expect(watch.events[0]!.type).toBe('ERROR');
      expect(watch.events[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
      expect(watch.events[0]!.object.message).toMatch(new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
    } finally {
      watch.stop();
    }
  });

  it('tells a selecting watch that an object left the selection (DELETED) or entered it (ADDED)', async () => {
    const from = await createConfigMap('relabel');
    const watch = watchEvents(from, '&labelSelector=tier%3Dfront');
    const label = (tier: string) =>
      fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps/relabel`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { tier } } }) });
    try {
      expect((await label('front')).status).toBe(200);
      await waitFor(() => watch.events.length >= 1, { timeoutMs: 10_000, what: 'ADDED' });
      expect((await label('back')).status).toBe(200);
      await waitFor(() => watch.events.length >= 2, { timeoutMs: 10_000, what: 'DELETED' });
      expect(watch.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED relabel', 'DELETED relabel']);
    } finally {
      watch.stop();
    }
  });

  it('answers a malformed body with 400 and an oversize one with 413, as Status objects, and stays up', async () => {
    const post = (body: string) => fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const bad = await post('{"metadata": {"name": ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const huge = await post(JSON.stringify({ metadata: { name: 'huge' }, data: { blob: 'x'.repeat(4 * 1024 * 1024) } })).catch(() => undefined);
    if (huge) {
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    }
    const notObject = await post('[1,2,3]');
    expect(notObject.status).toBe(400);
    expect((await listNames()).names).not.toContain('huge');
    expect((await fetch(`${apiserver.url}/readyz`)).status).toBe(200);
  });
});
