import type { Clock } from './clock';
import type { IndexFunc } from './indexer';
import { Informer } from './informer';
import type { ObjectsClient } from './objects-client';
import type { ClientLogger, GroupVersionResource, KubeObject } from './types';

export interface InformerFactoryOptions {
  client: ObjectsClient;
  clock?: Clock;
  log?: ClientLogger;
  backoff?: { initialMs: number; maxMs: number };
  /** Back-off before listing again after a watch expired (the Reflector's; 800 ms doubling to 30 s). */
  relistBackoff?: { initialMs: number; maxMs: number };
}

/**
 * One informer per resource for a whole process (client-go's SharedInformerFactory): the
 * controllers of a controller-manager ask for pods many times and get the same cache, fed by
 * one watch. Indices asked for by several users are merged into that one cache.
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(private readonly options: InformerFactoryOptions) {}

  informer<T extends KubeObject = KubeObject>(resource: GroupVersionResource, indexers: Record<string, IndexFunc<T>> = {}): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.resource}`;
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>({ ...this.options, resource });
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.started) informer.start();
    }
    // The same index asked for twice is the same index (users name them after what they file by).
    const fresh = Object.fromEntries(Object.entries(indexers).filter(([name]) => !informer!.indexer.hasIndex(name)));
    if (Object.keys(fresh).length) informer.indexer.addIndexers(fresh);
    return informer;
  }

  /** Starts every informer asked for so far, and any asked for later. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves when every informer has filled its cache once (cache.WaitForCacheSync). */
  async waitForSync(timeoutMs = 60_000): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync(timeoutMs)));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }
}
