import { ApiError, isResourceExpired, isGone } from '@kubelab/apimachinery';
import { Backoff } from '@kubelab/component-base';
import { realClock, sleep, type Clock } from './clock';
import type { ObjectsClient } from './objects-client';
import { silentLogger, type ClientLogger, type GroupVersionResource, type KubeObject } from './types';

/** Where a reflector puts what it learns (the informer's store and handlers). */
export interface ReflectorSink<T extends KubeObject> {
  /** A full list: the truth as of `resourceVersion`. */
  replace(items: T[], resourceVersion: string): void;
  added(object: T): void;
  modified(object: T): void;
  deleted(object: T): void;
}

export interface ReflectorOptions {
  client: ObjectsClient;
  resource: GroupVersionResource;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per list page (client-go's pager: 500). */
  pageSize?: number;
  /** Back-off between failed attempts (default 100 ms doubling to 10 s, with jitter). */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * Back-off before listing again after a watch expired (410): client-go's Reflector.Run waits
   * its backoff manager between two ListAndWatch calls, 800 ms doubling to 30 s, each wait
   * stretched by up to as much again (jitter 1.0). The defaults are those.
   */
  relistBackoff?: { initialMs: number; maxMs: number };
  clock?: Clock;
  log?: ClientLogger;
}

/** What a reflector has done, for logs, metrics and tests. */
export interface ReflectorStats {
  lists: number;
  watches: number;
  lastSyncResourceVersion: string;
}

/**
 * client-go's Reflector: lists once, then watches from the list's resourceVersion, and after any
 * break (apiserver restart, network cut, stream timeout) watches again from the last
 * resourceVersion it saw (an event's or a bookmark's), so nothing is missed and nothing is
 * re-read. Only when that version has been compacted away (410 Expired) does it list again.
 */
export class Reflector<T extends KubeObject = KubeObject> {
  private resourceVersion = '';
  private readonly counters = { lists: 0, watches: 0 };
  private readonly backoff: Backoff;
  private readonly relistBackoff: Backoff;
  private readonly clock: Clock;
  private readonly log: ClientLogger;

  constructor(
    private readonly options: ReflectorOptions,
    private readonly sink: ReflectorSink<T>,
  ) {
    this.backoff = new Backoff(options.backoff?.initialMs ?? 100, options.backoff?.maxMs ?? 10_000);
    // Backoff waits between half its step and the step: twice client-go's duration and cap give its [d, 2d].
    this.relistBackoff = new Backoff(2 * (options.relistBackoff?.initialMs ?? 800), 2 * (options.relistBackoff?.maxMs ?? 30_000));
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? silentLogger;
  }

  stats(): ReflectorStats {
    return { ...this.counters, lastSyncResourceVersion: this.resourceVersion };
  }

  /** Lists and watches until `signal` aborts. Never throws: every failure is retried. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.list(signal);
        if (signal.aborted) return;
        const { events, durationMs } = await this.watch(signal);
        // A watch the server ended at once, having said nothing, is a failure in disguise.
        if (events === 0 && durationMs < 1_000) await sleep(this.clock, this.backoff.next(), signal);
      } catch (error) {
        if (signal.aborted) return;
        if (isResourceExpired(error) || isGone(error)) {
          // Not at once: an apiserver that keeps answering 410 is not listed in a tight loop.
          const delay = this.relistBackoff.next();
          this.log.info({ resource: this.options.resource.resource, resourceVersion: this.resourceVersion, err: (error as Error).message, relistInMs: delay }, 'watch expired; relisting');
          this.resourceVersion = '';
          await sleep(this.clock, delay, signal);
          continue;
        }
        const delay = this.backoff.next();
        this.log.warn({ resource: this.options.resource.resource, err: (error as Error).message, retryInMs: delay }, 'list/watch failed; retrying');
        await sleep(this.clock, delay, signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.options;
    const pageSize = this.options.pageSize ?? 500;
    const items: T[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    this.counters.lists++;
    try {
      do {
        const page = await client.list<T>(resource, { namespace, labelSelector, fieldSelector, limit: pageSize, continue: continueToken, signal });
        if (!resourceVersion) resourceVersion = page.resourceVersion;
        items.push(...page.items);
        continueToken = page.continue;
      } while (continueToken);
    } catch (error) {
      if (!continueToken || !isResourceExpired(error)) throw error;
      // The pages' revision was compacted away mid-list: read everything at once instead.
      const all = await client.list<T>(resource, { namespace, labelSelector, fieldSelector, signal });
      items.splice(0, items.length, ...all.items);
      resourceVersion = all.resourceVersion;
    }
    if (signal.aborted) return;
    this.sink.replace(items, resourceVersion);
    this.resourceVersion = resourceVersion;
    this.log.debug({ resource: resource.resource, items: items.length, resourceVersion }, 'listed');
  }

  /** One watch from the last resourceVersion, until it breaks; events move the resourceVersion on. */
  private async watch(signal: AbortSignal): Promise<{ events: number; durationMs: number }> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.options;
    const started = this.clock.now();
    // client-go spreads watch timeouts over 5-10 minutes so that many clients do not reconnect at once.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const watch = client.watch<T>(resource, { namespace, labelSelector, fieldSelector, resourceVersion: this.resourceVersion, allowBookmarks: true, timeoutSeconds });
    const stop = () => watch.stop();
    signal.addEventListener('abort', stop, { once: true });
    this.counters.watches++;
    let events = 0;
    try {
      for await (const event of watch) {
        if (event.type === 'ERROR') throw new ApiError(event.object);
        events++;
        this.backoff.reset();
        this.relistBackoff.reset();
        switch (event.type) {
          case 'ADDED':
            this.sink.added(event.object);
            break;
          case 'MODIFIED':
            this.sink.modified(event.object);
            break;
          case 'DELETED':
            this.sink.deleted(event.object);
            break;
          case 'BOOKMARK':
            break;
        }
        const rv = event.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      watch.stop();
    }
    return { events, durationMs: this.clock.now() - started };
  }
}
