import type { Clock } from './clock';
import { Indexer, type IndexFunc } from './indexer';
import type { ObjectsClient } from './objects-client';
import { Reflector, type ReflectorSink, type ReflectorStats } from './reflector';
import { metaNamespaceKey, silentLogger, type ClientLogger, type GroupVersionResource, type KubeObject } from './types';

/** What an informer tells its users (cache.ResourceEventHandler). Handlers should only enqueue keys. */
export interface ResourceEventHandler<T extends KubeObject = KubeObject> {
  /** A new object; `isInInitialList` while the informer fills its cache for the first time. */
  onAdd?(object: T, isInInitialList: boolean): void;
  onUpdate?(oldObject: T, newObject: T): void;
  /** The object as last known (as deleted, when the watch said so; as last cached, after a relist). */
  onDelete?(object: T): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  client: ObjectsClient;
  resource: GroupVersionResource;
  /** Omitted: every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Extra indices besides `namespace` (e.g. pods by spec.nodeName). */
  indexers?: Record<string, IndexFunc<T>>;
  backoff?: { initialMs: number; maxMs: number };
  /** Back-off before listing again after a watch expired (the Reflector's; 800 ms doubling to 30 s). */
  relistBackoff?: { initialMs: number; maxMs: number };
  clock?: Clock;
  log?: ClientLogger;
}

/**
 * An informer (client-go's sharedIndexInformer): a Reflector keeps an Indexer in step with the
 * apiserver, and each change is told to the handlers after the cache has it, so a handler that
 * reads the cache sees at least what it was told. Handlers run in order, one event at a time;
 * one that throws is logged and does not stop the others.
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  private readonly reflector: Reflector<T>;
  private readonly handlers: ResourceEventHandler<T>[] = [];
  private readonly log: ClientLogger;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: InformerOptions<T>) {
    this.indexer = new Indexer<T>(options.indexers ?? {});
    this.log = options.log ?? silentLogger;
    const sink: ReflectorSink<T> = {
      replace: (items) => this.replace(items),
      added: (object) => this.upsert(object),
      modified: (object) => this.upsert(object),
      deleted: (object) => this.remove(object),
    };
    this.reflector = new Reflector<T>({ ...options, log: this.log }, sink);
  }

  /** Adds a handler; one added after the first list hears every cached object as an add first. */
  addEventHandler(handler: ResourceEventHandler<T>): void {
    this.handlers.push(handler);
    if (this.synced) for (const object of this.indexer.list()) this.call('onAdd', () => handler.onAdd?.(object, true));
  }

  /** Starts listing and watching in the background (idempotent). */
  start(): void {
    if (this.controller) return;
    this.controller = new AbortController();
    this.running = this.reflector.run(this.controller.signal);
  }

  /** Stops the watch; the cache keeps what it has, and `start` resumes from where it was. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.running;
    this.controller = undefined;
  }

  /** Whether the cache has been filled by a first full list (cache.HasSynced). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced; rejects after `timeoutMs` (cache.WaitForCacheSync). */
  waitForSync(timeoutMs = 60_000): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.syncWaiters.splice(this.syncWaiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for the ${this.options.resource.resource} informer to sync`));
      }, timeoutMs);
      this.syncWaiters.push(waiter);
    });
  }

  /** The resourceVersion the cache is up to date with. */
  lastSyncResourceVersion(): string {
    return this.reflector.stats().lastSyncResourceVersion;
  }

  stats(): ReflectorStats {
    return this.reflector.stats();
  }

  private replace(items: T[]): void {
    const initial = !this.synced;
    const fresh = new Set<string>();
    for (const object of items) {
      fresh.add(metaNamespaceKey(object));
      this.upsert(object, initial);
    }
    for (const key of this.indexer.listKeys()) {
      if (fresh.has(key)) continue;
      // Deleted while we were not watching: the last state we knew is all there is.
      const old = this.indexer.deleteByKey(key)!;
      this.notify('onDelete', (h) => h.onDelete?.(old));
    }
    if (initial) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private upsert(object: T, isInInitialList = false): void {
    const old = this.indexer.update(object);
    if (!old) return this.notify('onAdd', (h) => h.onAdd?.(object, isInInitialList));
    // The same version again (a relist of an unchanged object) is no news.
    if (old.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.notify('onUpdate', (h) => h.onUpdate?.(old, object));
  }

  private remove(object: T): void {
    // Only what the cache held is deleted; the handlers saw its add, so they hear of its delete.
    if (!this.indexer.delete(object)) return;
    this.notify('onDelete', (h) => h.onDelete?.(object));
  }

  private notify(what: keyof ResourceEventHandler<T>, fn: (handler: ResourceEventHandler<T>) => void): void {
    for (const handler of this.handlers) this.call(what, () => fn(handler));
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error({ resource: this.options.resource.resource, handler: what, err: (error as Error).message }, 'event handler failed');
    }
  }
}
