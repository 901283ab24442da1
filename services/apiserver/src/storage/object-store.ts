import { Errors } from '../errors';
import type { KubeObject, ResourceType } from '../registry/types';
import type { Logger } from '@kubelab/component-base';
import { EtcdClient, type EtcdKeyValue, type WatchMessage } from './etcd-client';
import { serialized } from './serialized';
import { WatchCache } from './watch-cache';

/** An object about to be written, with the revision its write is guarded by; `fresh` if just read from the store. */
interface ObjectState {
  object: KubeObject;
  modRevision: number;
  fresh: boolean;
}

/** A watch event as the API sends it. */
export interface ObjectEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before this change (for MODIFIED and DELETED), so a selector can tell who left it. */
  previous?: KubeObject;
}

/** What a write requires of the object it changes (DeleteOptions' preconditions; Kubernetes' storage.Preconditions). */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface WatchHandlers {
  event(event: ObjectEvent, revision: number): void;
  /** The resourceVersion is gone from the store (compacted): the API's 410 Expired. */
  expired(revision: number): void;
  error(error: Error): void;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  /** Where the next page starts, when `limit` cut the list short. */
  continue?: string;
  remainingItemCount?: number;
}

/**
 * Objects of every resource in the store, under Kubernetes' own keys
 * (`/registry/pods/<namespace>/<name>`), as JSON. An object's resourceVersion is the store's
 * mod_revision of its key, so every write is guarded by a Txn on the revision it read
 * (Kubernetes' storage/etcd3 "GuaranteedUpdate").
 */
export class ObjectStore {
  private readonly caches = new Map<string, WatchCache>();

  constructor(
    readonly etcd: EtcdClient,
    private readonly prefix = '/registry',
    /** Given, lists and watches are served from one watch cache per resource, keeping `size` events. */
    private readonly cacheOptions?: { log: Logger; size: number },
  ) {}

  private cacheFor(type: ResourceType): WatchCache | undefined {
    if (!this.cacheOptions) return undefined;
    const id = this.cacheId(type);
    let cache = this.caches.get(id);
    if (!cache) this.caches.set(id, (cache = new WatchCache(this.etcd, type, this.key(type, undefined), (kv) => decode(type, kv), this.cacheOptions.log, this.cacheOptions.size)));
    return cache;
  }

  /** Two versions of one stored resource (core and events.k8s.io Events) each keep their own view. */
  private cacheId(type: ResourceType): string {
    const key = this.key(type, undefined);
    return type.convert ? `${key}@${type.group}/${type.version}` : key;
  }

  /** The revision the resource's watch cache has reached, if it has one. */
  cachedRevision(type: ResourceType): number | undefined {
    return this.cacheFor(type)?.currentRevision;
  }

  /** Stops every watch cache (at shutdown). */
  close(): void {
    for (const cache of this.caches.values()) cache.stop();
  }

  /** The key of one object, or (without a name) the prefix of a namespace's or the whole resource's objects. */
  key(type: ResourceType, namespace: string | undefined, name?: string): string {
    const base = `${this.prefix}/${type.storagePath ?? type.resource}`;
    const scoped = type.namespaced && namespace ? `${base}/${namespace}` : base;
    return name === undefined ? `${scoped}/` : `${scoped}/${name}`;
  }

  /**
   * An object as the watch cache has it, possibly a moment behind the store (what Kubernetes'
   * admission plugins read through informers); from the store when there is no cache yet.
   */
  async getCached(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject> {
    const cached = this.cacheFor(type)?.peek(this.key(type, namespace, name));
    if (cached === null) throw Errors.notFound(type, name);
    return cached ?? this.get(type, namespace, name);
  }

  /**
   * Every object of a resource as the watch cache has it, possibly a moment behind the store (an
   * informer's lister, as admission plugins read); from the store when there is no cache yet.
   */
  async listCached(type: ResourceType): Promise<KubeObject[]> {
    return this.cacheFor(type)?.peekAll() ?? (await this.list(type, undefined)).items;
  }

  async get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject> {
    const { kv } = await this.etcd.get(this.key(type, namespace, name));
    if (!kv) throw Errors.notFound(type, name);
    return decode(type, kv);
  }

  async list(type: ResourceType, namespace: string | undefined, options: { limit?: number; continue?: string } = {}): Promise<ListResult> {
    const cache = !options.limit && !options.continue ? this.cacheFor(type) : undefined;
    if (cache) {
      try {
        return await cache.list(namespace);
      } catch {
        // A cache that cannot catch up in time: read the store, as Kubernetes falls back to etcd.
      }
    }
    const prefix = this.key(type, namespace);
    let startKey: string | undefined;
    let revision: number | undefined;
    if (options.continue) ({ startKey, revision } = decodeContinue(options.continue, prefix));
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const page = await this.etcd.list(prefix, { limit, startKey, revision }).catch((error: Error) => {
      if (revision && /compacted/.test(error.message)) {
        throw Errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      throw error;
    });
    const items = page.kvs.map((kv) => decode(type, kv));
    const result: ListResult = { items, resourceVersion: String(revision ?? page.revision) };
    if (page.more && page.kvs.length > 0) {
      const lastKey = page.kvs[page.kvs.length - 1]!.key.toString();
      result.continue = encodeContinue(`${lastKey}\0`, prefix, revision ?? page.revision);
      result.remainingItemCount = page.count - page.kvs.length;
    }
    return result;
  }

  /** Stores a new object; 409 AlreadyExists if the name is taken. */
  async create(type: ResourceType, object: KubeObject): Promise<KubeObject> {
    const { namespace, name } = object.metadata;
    const stored = encode(type, object);
    const result = await this.etcd.create(this.key(type, namespace, name), Buffer.from(JSON.stringify(stored)));
    if (!result.succeeded) throw Errors.alreadyExists(type, name!);
    return fromStored(type, stored, result.revision);
  }

  /**
   * Kubernetes' GuaranteedUpdate: takes the object as the watch cache has it (or reads it), lets
   * `change` compute the new one, and writes it only if nobody wrote in between; on a race it
   * goes on from the object the failed Txn returned, unless `change` itself pinned a
   * resourceVersion (then the race is the caller's 409 Conflict). A cached object may be a moment
   * behind: before it turns into a 409 or a no-op, the object is read from the store again.
   */
  async update(type: ResourceType, namespace: string | undefined, name: string, change: (current: KubeObject) => KubeObject | Promise<KubeObject>, options: { preconditions?: Preconditions } = {}): Promise<KubeObject> {
    const key = this.key(type, namespace, name);
    let state = this.cachedState(type, key);
    for (let attempt = 0; ; attempt++) {
      state ??= await this.readState(type, key, name);
      const current = state.object;
      const unmet = options.preconditions && preconditionFailure(type, key, name, current, options.preconditions);
      if (unmet) {
        if (!state.fresh) {
          state = undefined;
          continue;
        }
        throw unmet;
      }
      // A deep copy for `change` to edit; the JSON round trip is V8's fastest for plain objects.
      const next = await change(JSON.parse(serialized(current)) as KubeObject);
      const pinned = next.metadata.resourceVersion;
      const stored = encode(type, next);
      const text = JSON.stringify(stored);
      // As Kubernetes compares the new encoding with the stored bytes: equal means nothing to write.
      const noOp = text === JSON.stringify(encode(type, current));
      if (!state.fresh && ((pinned && pinned !== current.metadata.resourceVersion) || noOp)) {
        state = undefined;
        continue;
      }
      if (pinned && pinned !== current.metadata.resourceVersion) throw Errors.conflict(type, name);
      if (noOp) return current; // no new revision
      const result = await this.etcd.update(key, Buffer.from(text), state.modRevision);
      if (result.succeeded) return fromStored(type, stored, result.revision);
      if (!result.current) throw Errors.notFound(type, name);
      // Someone wrote in between: compute again on what is there now. A write pinned by its
      // caller to the older version then fails above with 409; a patch (whose version is just the
      // one it was applied to) is applied again, as Kubernetes' GuaranteedUpdate does.
      state = { object: decode(type, result.current), modRevision: Number(result.current.mod_revision), fresh: true };
      if (attempt >= 10) throw Errors.conflict(type, name);
    }
  }

  /**
   * Deletes the object if it meets `preconditions` (its uid, its resourceVersion), whatever it is
   * without them; 409 in Kubernetes' storage words if not. Returns it as it was.
   */
  async delete(type: ResourceType, namespace: string | undefined, name: string, preconditions: Preconditions = {}): Promise<KubeObject> {
    const key = this.key(type, namespace, name);
    let state = this.cachedState(type, key);
    for (;;) {
      state ??= await this.readState(type, key, name);
      const unmet = preconditionFailure(type, key, name, state.object, preconditions);
      if (unmet) {
        if (!state.fresh) {
          state = undefined;
          continue;
        }
        throw unmet;
      }
      const result = await this.etcd.delete(key, state.modRevision);
      // The watch cache's objects are shared and never changed: the caller gets its own copy.
      if (result.succeeded) return state.fresh ? state.object : structuredClone(state.object);
      if (!result.current) throw Errors.notFound(type, name);
      // Someone wrote in between: check the preconditions again on what is there now.
      state = { object: decode(type, result.current), modRevision: Number(result.current.mod_revision), fresh: true };
    }
  }

  /**
   * The object as an existing watch cache has it, to save a read before a write (Kubernetes'
   * cachedExistingObject). Not one that is absent from the cache: it may just not be there yet.
   */
  private cachedState(type: ResourceType, key: string): ObjectState | undefined {
    if (!this.caches.has(this.cacheId(type))) return undefined;
    const object = this.cacheFor(type)!.peek(key);
    if (!object) return undefined;
    return { object, modRevision: Number(object.metadata.resourceVersion), fresh: false };
  }

  private async readState(type: ResourceType, key: string, name: string): Promise<ObjectState> {
    const { kv } = await this.etcd.get(key);
    if (!kv) throw Errors.notFound(type, name);
    return { object: decode(type, kv), modRevision: Number(kv.mod_revision), fresh: true };
  }

  /**
   * Watches a resource (in one namespace, or all) from `resourceVersion` on: events after it, in
   * order. A resourceVersion older than the store keeps gets `onExpired` (the API's 410 Gone).
   */
  watch(type: ResourceType, namespace: string | undefined, resourceVersion: number, on: WatchHandlers): { cancel(): void } {
    const cache = this.cacheFor(type);
    if (!cache) return this.watchStore(type, namespace, resourceVersion, on);
    let cancelled = false;
    let current: { cancel(): void } | undefined;
    // Set once expired() has moved this watcher to a store watch: from then on that watch is the
    // one to cancel, and the cache's own handle (resolved after expired(), a no-op) must not
    // replace it, or stopping the watch would leave the store watch open.
    let fromStore = false;
    const adopt = (handle: { cancel(): void }) => {
      if (cancelled) handle.cancel();
      else current = handle;
    };
    let delivered = resourceVersion;
    cache
      .watch(namespace, resourceVersion, {
        ...on,
        event(event, revision) {
          delivered = revision;
          on.event(event, revision);
        },
        // Older than the cache's window (a client resuming after an apiserver restart, say), or the
        // cache lost its own store watch: the store may still have the history after what this
        // watcher has seen, so go on from the store instead of making the client relist; only a
        // compacted revision is a real 410.
        expired: () => {
          if (cancelled) return;
          fromStore = true;
          adopt(this.watchStore(type, namespace, delivered, on));
        },
      })
      .then((handle) => (fromStore ? handle.cancel() : adopt(handle)), (error: Error) => on.error(error));
    return {
      cancel: () => {
        cancelled = true;
        current?.cancel();
        current = undefined;
      },
    };
  }

  /** A watch straight on the store (etcd), with each change's previous object. */
  private watchStore(type: ResourceType, namespace: string | undefined, resourceVersion: number, on: WatchHandlers): { cancel(): void } {
    return this.etcd.watch(this.key(type, namespace), resourceVersion + 1, (message: WatchMessage) => {
      if ('progress' in message) return;
      if ('compacted' in message) return on.expired(message.compacted);
      if ('error' in message) return on.error(message.error);
      for (const event of message.events) {
        if (event.type === 'DELETE') {
          if (!event.prev_kv) continue;
          const object = decode(type, event.prev_kv);
          object.metadata.resourceVersion = event.kv.mod_revision;
          on.event({ type: 'DELETED', object, previous: object }, message.revision);
        } else {
          const previous = event.prev_kv ? decode(type, event.prev_kv) : undefined;
          on.event({ type: event.kv.version === '1' ? 'ADDED' : 'MODIFIED', object: decode(type, event.kv), previous }, message.revision);
        }
      }
    });
  }

}

/**
 * The 409 of a precondition the object does not meet, worded as Kubernetes' storage layer words it
 * (storage.Preconditions.Check, a StorageError "invalid object" that the registry reports as a
 * Conflict); undefined if it meets them.
 */
function preconditionFailure(type: ResourceType, key: string, name: string, object: KubeObject, preconditions: Preconditions): Error | undefined {
  let failed: string | undefined;
  if (preconditions.uid && preconditions.uid !== object.metadata.uid) {
    failed = `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${object.metadata.uid ?? ''}`;
  } else if (preconditions.resourceVersion && preconditions.resourceVersion !== object.metadata.resourceVersion) {
    failed = `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${object.metadata.resourceVersion ?? ''}`;
  }
  return failed === undefined ? undefined : Errors.conflict(type, name, `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: ${failed}`);
}

/**
 * The one place a version that is a view of another's objects (ResourceType.convert) is
 * converted: every read (get, list, watch, the watch cache, the result of a write) comes
 * through `decode`/`fromStored` (the gRPC watch too), every write through `encode`.
 */
export function decode(type: ResourceType, kv: EtcdKeyValue, revision: string | number = kv.mod_revision): KubeObject {
  return fromStored(type, JSON.parse(kv.value.toString()) as KubeObject, revision);
}

/** A stored object as `type` serves it, at `revision` (its resourceVersion). */
function fromStored(type: ResourceType, stored: KubeObject, revision: string | number): KubeObject {
  const object = type.convert ? type.convert.fromStorage(stored) : stored;
  object.metadata = { ...object.metadata, resourceVersion: String(revision) };
  return object;
}

/** What is written: the object in its stored version, without a resourceVersion. */
function encode(type: ResourceType, object: KubeObject): KubeObject {
  const stored = withoutResourceVersion(object);
  return type.convert ? withoutResourceVersion(type.convert.toStorage(stored)) : stored;
}

function withoutResourceVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** The continue token: where the next page starts and the revision the list is read at (base64 JSON, as Kubernetes'). */
function encodeContinue(startKey: string, prefix: string, revision: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: startKey.slice(prefix.length) })).toString('base64url');
}

function decodeContinue(token: string, prefix: string): { startKey: string; revision: number } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { v: string; rv: number; start: string };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || parsed.start.includes('..')) throw new Error();
    return { startKey: prefix + parsed.start, revision: parsed.rv };
  } catch {
    throw Errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
