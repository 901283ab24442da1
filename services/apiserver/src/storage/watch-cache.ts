import type { Logger } from '@kubelab/component-base';
import type { KubeObject, ResourceType } from '../registry/types';
import type { EtcdClient, EtcdKeyValue, WatchMessage } from './etcd-client';
import type { ObjectEvent } from './object-store';

/** What a watcher of the cache is told: each event with its revision, or that it fell behind. */
export interface CacheWatchHandlers {
  event(event: ObjectEvent, revision: number): void;
  expired(oldest: number): void;
  error(error: Error): void;
}

/**
 * One resource's watch cache (Kubernetes' Cacher + watchCache): a list from the store, then ONE
 * store watch keeps every object of the resource in memory, with a window of recent events.
 * Lists are served from memory once the cache has caught up with the store's revision (it asks
 * the store for a progress notification when the resource is quiet), and every client watch is
 * fed from the window and then live, instead of opening a store watch per client.
 */
export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  /** Recent events in revision order; the oldest drop off past `capacity`. */
  private readonly window: Array<{ revision: number; event: ObjectEvent }> = [];
  /** Each watcher with the revision it started from: it never hears of anything at or below it. */
  private readonly watchers = new Set<{ namespace?: string; from: number; handlers: CacheWatchHandlers }>();
  private readonly waiting: Array<{ revision: number; resolve: () => void }> = [];
  private revision = 0;
  /** Events at or below this revision are no longer in the window. */
  private oldest = 0;
  private ready: Promise<void>;
  private stream?: { cancel(): void; requestProgress(): void };
  private stopped = false;
  private filled = false;

  constructor(
    private readonly etcd: EtcdClient,
    private readonly type: ResourceType,
    private readonly prefix: string,
    private readonly decode: (kv: EtcdKeyValue) => KubeObject,
    private readonly log: Logger,
    private readonly capacity = 10_000,
  ) {
    this.ready = this.start();
  }

  /** Every object (of one namespace), as of a revision at least as new as the store's now. */
  async list(namespace: string | undefined): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    await this.fresh();
    // Filtered before sorting: a namespace's list sorts only that namespace's objects.
    const items = [...this.objects.entries()]
      .filter(([, object]) => !namespace || object.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => object);
    return { items, resourceVersion: String(this.revision) };
  }

  /**
   * Events after `fromRevision`, from the window and then live. A watcher may start ahead of the
   * cache (from a list read from the store, as a list with a limit is): as Kubernetes' cacheWatcher,
   * it is sent only what is newer than its revision, not the events the cache has yet to catch up on.
   */
  async watch(namespace: string | undefined, fromRevision: number, handlers: CacheWatchHandlers): Promise<{ cancel(): void }> {
    await this.ready;
    if (fromRevision < this.oldest) {
      handlers.expired(this.oldest + 1);
      return { cancel() {} };
    }
    for (const { revision, event } of this.window) {
      if (revision > fromRevision && (!namespace || event.object.metadata.namespace === namespace)) handlers.event(event, revision);
    }
    const watcher = { namespace, from: fromRevision, handlers };
    this.watchers.add(watcher);
    return { cancel: () => this.watchers.delete(watcher) };
  }

  /**
   * One object as the cache has it now, without waiting to catch up (an informer's lister):
   * what admission checks use. Undefined if the cache is not filled yet.
   */
  peek(key: string): KubeObject | undefined | null {
    return this.filled ? (this.objects.get(key) ?? null) : undefined;
  }

  /** Every object as the cache has it now, without waiting to catch up (a lister's list); undefined if not filled yet. */
  peekAll(): KubeObject[] | undefined {
    return this.filled ? [...this.objects.values()] : undefined;
  }

  /** The cache's revision: what a list from it is consistent with. */
  get currentRevision(): number {
    return this.revision;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.cancel();
  }

  /** Waits until the cache has seen everything the store had when this was called. */
  private async fresh(): Promise<void> {
    await this.ready;
    const { revision } = await this.etcd.get(this.prefix);
    if (this.revision >= revision) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.waiting.push({ revision, resolve });
        this.stream?.requestProgress();
      }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`watch cache of ${this.type.resource} is behind the store (at ${this.revision}, store at ${revision})`)), 3_000))),
    ]).finally(() => clearTimeout(timer));
  }

  private async start(): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        const { kvs, revision } = await this.etcd.list(this.prefix);
        this.objects.clear();
        for (const kv of kvs) this.objects.set(kv.key.toString(), this.decode(kv));
        this.revision = revision;
        this.window.length = 0;
        this.oldest = revision;
        this.stream = this.etcd.watch(this.prefix, revision + 1, (message) => this.onMessage(message));
        this.filled = true;
        this.log.debug({ resource: this.type.resource, objects: kvs.length, revision }, 'watch cache ready');
        return;
      } catch (error) {
        if (this.stopped) return;
        this.log.warn({ resource: this.type.resource, err: (error as Error).message, retryInMs: delay }, 'watch cache: waiting for the store');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private onMessage(message: WatchMessage): void {
    if ('progress' in message) return this.advance(message.progress);
    if ('compacted' in message || 'error' in message) {
      // Lost the store watch: tell every watcher to start again (410), then rebuild from a new list.
      const reason = 'error' in message ? message.error.message : `compacted at ${message.compacted}`;
      this.log.warn({ resource: this.type.resource, reason }, 'watch cache: store watch lost, relisting');
      for (const w of this.watchers) w.handlers.expired(this.revision);
      this.watchers.clear();
      if (!this.stopped) this.ready = this.start();
      return;
    }
    for (const e of message.events) {
      const key = e.kv.key.toString();
      // Each event's own revision: one message may carry several (a store catching a watch up).
      const revision = Number(e.kv.mod_revision) || message.revision;
      let event: ObjectEvent;
      if (e.type === 'DELETE') {
        if (!e.prev_kv) continue;
        const object = this.decode(e.prev_kv);
        object.metadata.resourceVersion = e.kv.mod_revision;
        const previous = this.objects.get(key) ?? object;
        this.objects.delete(key);
        event = { type: 'DELETED', object, previous };
      } else {
        const object = this.decode(e.kv);
        const previous = this.objects.get(key);
        event = previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object };
        this.objects.set(key, object);
      }
      this.window.push({ revision, event });
      for (const w of this.watchers) {
        if (revision > w.from && (!w.namespace || event.object.metadata.namespace === w.namespace)) w.handlers.event(event, revision);
      }
    }
    while (this.window.length > this.capacity) this.oldest = this.window.shift()!.revision;
    this.advance(message.revision);
  }

  private advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i]!.revision <= this.revision) this.waiting.splice(i, 1)[0]!.resolve();
    }
  }
}
