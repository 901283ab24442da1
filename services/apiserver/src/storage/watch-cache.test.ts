import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceType } from '../registry/types';
import type { EtcdClient, EtcdEvent, EtcdKeyValue, WatchMessage } from './etcd-client';
import { decode } from './object-store';
import { WatchCache } from './watch-cache';

const configMaps = { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', singular: 'configmap', namespaced: true } as ResourceType;
const PREFIX = '/registry/configmaps/';

const kv = (name: string, revision: number): EtcdKeyValue => ({
  key: Buffer.from(`${PREFIX}default/${name}`),
  value: Buffer.from(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: 'default' } })),
  create_revision: String(revision),
  mod_revision: String(revision),
  version: '1',
});

/** A store whose list is at `revision` and whose watch messages the test sends itself. */
function fakeEtcd(revision: number) {
  let on: ((message: WatchMessage) => void) | undefined;
  const etcd = {
    list: async () => ({ kvs: [], revision, more: false, count: 0 }),
    get: async () => ({ revision }),
    watch: (_prefix: string, _from: number, onMessage: (message: WatchMessage) => void) => {
      on = onMessage;
      return { cancel() {}, requestProgress() {} };
    },
  };
  return { etcd: etcd as unknown as EtcdClient, send: (events: EtcdEvent[], header: number) => on!({ events, revision: header }) };
}

function cacheAt(revision: number) {
  const { etcd, send } = fakeEtcd(revision);
  const cache = new WatchCache(etcd, configMaps, PREFIX, (k) => decode(configMaps, k), pino({ level: 'silent' }), 100);
  return { cache, send };
}

function collect(): { seen: string[]; handlers: Parameters<WatchCache['watch']>[2] } {
  const seen: string[] = [];
  return {
    seen,
    handlers: {
      event: (event, revision) => seen.push(`${event.type} ${(event.object as KubeObject).metadata.name}@${revision}`),
      expired: (oldest) => seen.push(`expired ${oldest}`),
      error: (error) => seen.push(`error ${error.message}`),
    },
  };
}

describe('WatchCache.watch', () => {
  it('never sends a watcher an event at or below the resourceVersion it started from, when it is ahead of the cache', async () => {
    // A list with a limit is read from the store, so a client can watch from a revision the cache has not reached yet.
    const { cache, send } = cacheAt(10);
    const { seen, handlers } = collect();
    await cache.watch(undefined, 12, handlers);
    send([{ type: 'PUT', kv: kv('a', 11) }], 11);
    send([{ type: 'PUT', kv: kv('b', 12) }], 12);
    send([{ type: 'PUT', kv: kv('c', 13) }], 13);
    expect(seen).toEqual(['ADDED c@13']);
    cache.stop();
  });

  it('goes by each event’s own revision when the store sends several revisions in one message', async () => {
    const { cache, send } = cacheAt(10);
    const early = collect();
    const late = collect();
    await cache.watch(undefined, 10, early.handlers);
    await cache.watch(undefined, 11, late.handlers);
    send([{ type: 'PUT', kv: kv('a', 11) }, { type: 'PUT', kv: kv('b', 12) }], 12);
    expect(early.seen).toEqual(['ADDED a@11', 'ADDED b@12']);
    expect(late.seen).toEqual(['ADDED b@12']);
    // Replayed from the window by the same rule.
    const replayed = collect();
    await cache.watch(undefined, 11, replayed.handlers);
    expect(replayed.seen).toEqual(['ADDED b@12']);
    cache.stop();
  });
});
