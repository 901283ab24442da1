import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceType } from '../registry/types';
import type { EtcdClient, EtcdKeyValue, WatchMessage } from './etcd-client';
import { ObjectStore } from './object-store';

/**
 * An in-memory etcd with Txn semantics whose watch delivers only when told to: the watch cache
 * can be held behind the store, which a real store does only for a moment.
 */
class HeldBackEtcd {
  private revision = 1;
  private readonly data = new Map<string, EtcdKeyValue>();
  private readonly watchers: Array<{ prefix: string; on: (m: WatchMessage) => void }> = [];
  private readonly held: Array<{ events: Array<{ type: 'PUT'; kv: EtcdKeyValue }>; revision: number }> = [];
  gets = 0;

  put(key: string, object: object): EtcdKeyValue {
    const previous = this.data.get(key);
    this.revision++;
    const kv: EtcdKeyValue = {
      key: Buffer.from(key),
      value: Buffer.from(JSON.stringify(object)),
      create_revision: previous?.create_revision ?? String(this.revision),
      mod_revision: String(this.revision),
      version: String(Number(previous?.version ?? 0) + 1),
    };
    this.data.set(key, kv);
    this.held.push({ events: [{ type: 'PUT', kv }], revision: this.revision });
    return kv;
  }

  /** Lets the watch cache see every write so far. */
  deliver(): void {
    for (const message of this.held.splice(0)) {
      for (const w of this.watchers) if (message.events[0]!.kv.key.toString().startsWith(w.prefix)) w.on(message);
    }
  }

  async get(key: string) {
    this.gets++;
    return { kv: this.data.get(key), revision: this.revision };
  }

  async list(prefix: string) {
    const kvs = [...this.data.values()].filter((kv) => kv.key.toString().startsWith(prefix));
    return { kvs, revision: this.revision, more: false, count: kvs.length };
  }

  async create(key: string, value: Buffer) {
    if (this.data.has(key)) return { succeeded: false, revision: this.revision };
    this.put(key, JSON.parse(value.toString()));
    return { succeeded: true, revision: this.revision };
  }

  async update(key: string, value: Buffer, modRevision: number) {
    const current = this.data.get(key);
    if (!current || Number(current.mod_revision) !== modRevision) return { succeeded: false, revision: this.revision, current };
    this.put(key, JSON.parse(value.toString()));
    return { succeeded: true, revision: this.revision };
  }

  async delete(key: string, modRevision: number) {
    const current = this.data.get(key);
    if (!current || Number(current.mod_revision) !== modRevision) return { succeeded: false, revision: this.revision, current };
    this.data.delete(key);
    this.revision++;
    return { succeeded: true, revision: this.revision };
  }

  /** The watches open on this store (the watch cache's own included). */
  openWatches = 0;

  watch(prefix: string, _from: number, on: (m: WatchMessage) => void) {
    const watcher = { prefix, on };
    this.watchers.push(watcher);
    this.openWatches++;
    let open = true;
    const cancel = () => {
      if (!open) return;
      open = false;
      this.openWatches--;
      this.watchers.splice(this.watchers.indexOf(watcher), 1);
    };
    return { cancel, requestProgress: () => on({ progress: this.revision }) };
  }
}

const configMaps = { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', singular: 'configmap', namespaced: true } as ResourceType;
const KEY = '/registry/configmaps/default/settings';

async function storeWithCachedConfigMap(): Promise<{ etcd: HeldBackEtcd; store: ObjectStore }> {
  const etcd = new HeldBackEtcd();
  etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } });
  const store = new ObjectStore(etcd as unknown as EtcdClient, '/registry', { log: pino({ level: 'silent' }), size: 100 });
  await store.list(configMaps, 'default'); // fills the watch cache
  etcd.gets = 0;
  return { etcd, store };
}

const withData = (data: Record<string, string>) => (current: KubeObject) => ({ ...current, data: { ...(current as { data?: object }).data, ...data } }) as KubeObject;

describe('ObjectStore.update and delete on the watch cache (GuaranteedUpdate)', () => {
  it('writes from the cached object without reading the store first', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    const updated = await store.update(configMaps, 'default', 'settings', withData({ b: '2' }));
    expect(etcd.gets).toBe(0);
    expect((updated as unknown as { data: object }).data).toEqual({ a: '1', b: '2' });
  });

  it('goes on from the failed Txn answer when the cache is behind, keeping the newer write', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: '1', other: 'writer' } });
    const updated = await store.update(configMaps, 'default', 'settings', withData({ b: '2' }));
    expect((updated as unknown as { data: object }).data).toEqual({ a: '1', other: 'writer', b: '2' });
  });

  it('reads the store before answering 409 to a write pinned to a version the cache has not seen yet', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    const newest = etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: 'newest' } });
    const pinned = (current: KubeObject) => ({ ...current, metadata: { ...current.metadata, resourceVersion: newest.mod_revision }, data: { a: 'pinned' } }) as KubeObject;
    const updated = await store.update(configMaps, 'default', 'settings', pinned);
    expect((updated as unknown as { data: object }).data).toEqual({ a: 'pinned' });
  });

  it('still answers 409 to a write pinned to an older version', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    const old = (await store.get(configMaps, 'default', 'settings')).metadata.resourceVersion;
    etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: 'newer' } });
    etcd.deliver();
    const pinned = (current: KubeObject) => ({ ...current, metadata: { ...current.metadata, resourceVersion: old } }) as KubeObject;
    await expect(store.update(configMaps, 'default', 'settings', pinned)).rejects.toMatchObject({ status: { code: 409, reason: 'Conflict' } });
  });

  it('does not take a stale cached object for a no-op', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: '2' } });
    // No change against the cache's {a: 1}, a change against the store's {a: 2}.
    const updated = await store.update(configMaps, 'default', 'settings', withData({ a: '1' }));
    expect((updated as unknown as { data: object }).data).toEqual({ a: '1' });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(3);
  });

  it('deletes a cached object and hands back a copy, not the cache’s own', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    const deleted = await store.delete(configMaps, 'default', 'settings');
    expect(etcd.gets).toBe(0);
    (deleted as unknown as { data: Record<string, string> }).data.a = 'changed by the caller';
    etcd.deliver();
    const cached = store.getCached(configMaps, 'default', 'settings');
    await expect(cached).resolves.toMatchObject({ data: { a: '1' } });
  });

  it('checks a delete’s preconditions against the store, in Kubernetes’ storage words', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    const old = (await store.get(configMaps, 'default', 'settings')).metadata.resourceVersion!;
    const newer = etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: 'newer' } });
    await expect(store.delete(configMaps, 'default', 'settings', { resourceVersion: old })).rejects.toMatchObject({
      status: {
        code: 409,
        reason: 'Conflict',
        message: `Operation cannot be fulfilled on configmaps "settings": StorageError: invalid object, Code: 4, Key: ${KEY}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: ${old}, ResourceVersion in object meta: ${newer.mod_revision}`,
      },
    });
    // Not yet in the cache, but in the store: the precondition holds.
    await expect(store.delete(configMaps, 'default', 'settings', { resourceVersion: newer.mod_revision })).resolves.toMatchObject({ data: { a: 'newer' } });
  });

  it('checks an update’s preconditions (a delete that only marks the object), reading the store before a 409', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    const newer = etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default', uid: 'u-1' }, data: { a: 'newer' } });
    await expect(store.update(configMaps, 'default', 'settings', withData({ b: '2' }), { preconditions: { uid: 'u-2' } })).rejects.toMatchObject({
      status: { code: 409, message: `Operation cannot be fulfilled on configmaps "settings": StorageError: invalid object, Code: 4, Key: ${KEY}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: u-2, UID in object meta: u-1` },
    });
    const updated = await store.update(configMaps, 'default', 'settings', withData({ b: '2' }), { preconditions: { uid: 'u-1', resourceVersion: newer.mod_revision } });
    expect((updated as unknown as { data: object }).data).toEqual({ a: 'newer', b: '2' });
  });
});

describe('ObjectStore.watch', () => {
  it('cancels the store watch a resumed watch older than the cache went on with when it is stopped', async () => {
    const { etcd, store } = await storeWithCachedConfigMap();
    etcd.put(KEY, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { a: '2' } });
    etcd.deliver();
    const before = etcd.openWatches;
    const expired: number[] = [];
    const handle = store.watch(configMaps, 'default', 0, { event() {}, error() {}, expired: (revision: number) => void expired.push(revision) });
    // The cache answers once it is ready: wait for the store watch it hands the watcher to.
    for (let i = 0; i < 10 && etcd.openWatches === before; i++) await Promise.resolve();
    expect(etcd.openWatches).toBe(before + 1);
    await new Promise((resolve) => setImmediate(resolve)); // the cache's handle has resolved by now
    handle.cancel();
    expect(etcd.openWatches).toBe(before);
    expect(expired).toEqual([]);
  });
});
