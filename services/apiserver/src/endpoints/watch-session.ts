import { Errors, type Status } from '../errors';
import { groupVersion, type KubeObject, type ResourceType } from '../registry/types';
import type { ObjectEvent, ObjectStore } from '../storage/object-store';
import { selectEvent, type ObjectFilter } from './selectors';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions {
  type: ResourceType;
  namespace?: string;
  /** "" or "0": the current objects come first as ADDED; a number: what happened after it. */
  resourceVersion: string;
  filter: ObjectFilter;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  bookmarkIntervalMs: number;
}

/** Where a watch's events go: the REST response or the gRPC stream. */
export interface WatchSink {
  send(type: WatchEventType, object: KubeObject | Status): void;
  /** The watch is over (timeout, expiry, error, or `stop`); close the response. */
  end(): void;
}

/**
 * One client watch, the same for REST and gRPC: the initial objects when asked, then the events of
 * the resource's watch cache (or a store watch without one) through the request's selector, an
 * object that leaves the selection arriving as DELETED. A resourceVersion older than the cache
 * keeps gets an ERROR event with 410 Expired, so the client relists. Bookmarks carry the revision
 * up to which everything has been delivered, matching the selector or not. `open` holds the stop
 * of every running watch, so shutdown can end them all.
 */
export async function startWatch(store: ObjectStore, options: WatchOptions, sink: WatchSink, open: Set<() => void>): Promise<{ stop(): void }> {
  const { type, namespace, filter } = options;
  let fromRevision: number;
  const initial: KubeObject[] = [];
  if (options.resourceVersion === '' || options.resourceVersion === '0') {
    const list = await store.list(type, namespace);
    fromRevision = Number(list.resourceVersion);
    initial.push(...list.items.filter(filter));
  } else {
    fromRevision = Number(options.resourceVersion);
    if (!Number.isInteger(fromRevision) || fromRevision < 0) throw Errors.badRequest(`invalid resource version: ${options.resourceVersion}`);
  }
  let finished = false;
  let delivered = fromRevision;
  let timeout: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  const send = (eventType: WatchEventType, object: KubeObject | Status) => {
    if (!finished) sink.send(eventType, object);
  };
  for (const object of initial) send('ADDED', object);
  const watch = store.watch(type, namespace, fromRevision, {
    event(event: ObjectEvent, revision: number) {
      delivered = revision;
      const selected = selectEvent(event, filter);
      if (selected) send(selected.type, selected.object);
    },
    expired(oldest: number) {
      send('ERROR', Errors.expired(`too old resource version: ${fromRevision} (${oldest})`).status);
      stop();
    },
    error(error: Error) {
      send('ERROR', Errors.internal(error).status);
      stop();
    },
  });
  const stop = () => {
    if (finished) return;
    finished = true;
    open.delete(stop);
    watch.cancel();
    clearTimeout(timeout);
    clearInterval(bookmarks);
    sink.end();
  };
  if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) timeout = setTimeout(stop, options.timeoutSeconds * 1000);
  if (options.allowBookmarks) {
    const apiVersion = groupVersion(type);
    bookmarks = setInterval(() => {
      // The cache has handed this watcher every event up to its revision, selected or not.
      const revision = Math.max(delivered, store.cachedRevision(type) ?? 0);
      send('BOOKMARK', { kind: type.kind, apiVersion, metadata: { resourceVersion: String(revision) } } as KubeObject);
    }, options.bookmarkIntervalMs);
  }
  // In the set of open watches (closed at shutdown) for exactly as long as it runs.
  open.add(stop);
  return { stop };
}
