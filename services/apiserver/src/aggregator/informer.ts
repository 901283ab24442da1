import type { Logger } from '@kubelab/component-base';
import type { KubeObject, ResourceType } from '../registry/types';
import type { ObjectEvent, ObjectStore } from '../storage/object-store';

export interface InformerHandlers {
  /** The whole resource, after every (re)list. */
  replace(items: KubeObject[]): void;
  /** One change after the list. */
  event(event: ObjectEvent): void;
}

/**
 * List, then watch from the list's revision; a watch that breaks (410 Expired, store errors)
 * lists again with back-off. The apiserver's own informer over its object store, as
 * kube-aggregator's controllers use shared informers.
 */
export function inform(store: ObjectStore, type: ResourceType, log: Logger, handlers: InformerHandlers): { synced: Promise<void>; stop(): void } {
  let stopped = false;
  let current: { cancel(): void } | undefined;
  let wake: (() => void) | undefined;
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout((wake = resolve), ms).unref());

  void (async () => {
    for (let delay = 200; !stopped; ) {
      try {
        const list = await store.list(type, undefined);
        if (stopped) return;
        handlers.replace(list.items);
        markSynced();
        delay = 200;
        await new Promise<void>((resolve) => {
          wake = resolve;
          current = store.watch(type, undefined, Number(list.resourceVersion), {
            event: (event) => handlers.event(event),
            expired: () => resolve(),
            error: (error) => {
              log.warn({ resource: type.resource, err: error.message }, 'informer: watch failed, listing again');
              resolve();
            },
          });
        });
        current?.cancel();
      } catch (error) {
        if (stopped) return;
        log.warn({ resource: type.resource, err: (error as Error).message, retryInMs: delay }, 'informer: list failed');
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  })();

  return {
    synced,
    stop() {
      stopped = true;
      current?.cancel();
      wake?.();
    },
  };
}
