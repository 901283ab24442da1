import type { ObjectFilter } from '../endpoints/selectors';
import type { KubeObject, ResourceType } from '../registry/types';
import type { EtcdEvent, WatchMessage } from '../storage/etcd-client';
import { decode, type ObjectStore } from '../storage/object-store';

/** A watch event after the selector: what a client that holds the matching objects must do. */
export interface SelectedEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

export interface SelectingWatchHandlers {
  /** Called for every store event, `selected` undefined when the selector hides it; `revision` is its mod_revision. */
  event(selected: SelectedEvent | undefined, revision: number): void;
  /** The store vouches that every event up to `revision` has been delivered (etcd progress notify). */
  progress?(revision: number): void;
  expired(compacted: number): void;
  error(error: Error): void;
}

/**
 * A store watch seen through a label/field selector, as Kubernetes' etcd3 watcher transforms
 * events: comparing the object before and after each write (etcd's prev_kv) tells whether it
 * entered the selection (ADDED), stayed in it (MODIFIED) or left it (DELETED, with the old
 * object at the new resourceVersion). Without this, a pod whose label no longer matches would
 * stay for ever in the cache of an informer that selects on that label.
 */
export function watchSelected(store: ObjectStore, type: ResourceType, namespace: string | undefined, fromRevision: number, filter: ObjectFilter, on: SelectingWatchHandlers): { cancel(): void; requestProgress(): void } {
  return store.etcd.watch(store.key(type, namespace), fromRevision + 1, (message: WatchMessage) => {
    if ('progress' in message) return on.progress?.(message.progress);
    if ('compacted' in message) return on.expired(message.compacted);
    if ('error' in message) return on.error(message.error);
    for (const event of message.events) {
      const revision = Number(event.kv.mod_revision);
      on.event(select(type, event, revision, filter), revision);
    }
  });
}

function select(type: ResourceType, event: EtcdEvent, revision: number, filter: ObjectFilter): SelectedEvent | undefined {
  const previous = event.prev_kv ? decode(type, event.prev_kv, revision) : undefined;
  const previousPasses = previous !== undefined && filter(previous);
  if (event.type === 'DELETE') return previousPasses ? { type: 'DELETED', object: previous } : undefined;
  const current = decode(type, event.kv, revision);
  const currentPasses = filter(current);
  if (currentPasses) return { type: previousPasses ? 'MODIFIED' : 'ADDED', object: current };
  if (previousPasses) return { type: 'DELETED', object: previous };
  return undefined;
}
