import type { WatchEvent, WatchRequest } from '@kubelab/proto';
import { objectFilter } from '../endpoints/selectors';
import { startWatch } from '../endpoints/watch-session';
import type { ObjectsContext } from './handlers';
import { requestScope } from './request-scope';
import { sharedObjectBytes } from './shared-bytes';
import type { ServerStream } from '@kubelab/proto';

/**
 * Objects.Watch: the same watch as the REST one (endpoints/watch-session.ts), on a gRPC server
 * stream: from the watch cache, through the selector, with 410 Expired as an ERROR event and
 * bookmarks when asked. It runs until the session ends it (timeoutSeconds, expiry, shutdown:
 * status OK) or the client cancels; a watch that cannot start is refused with its status.
 */
export function watchHandler(ctx: ObjectsContext): (request: WatchRequest, call: ServerStream<WatchEvent>) => Promise<void> {
  return async (r, call) => {
    try {
      await serveWatch(ctx, r, call);
    } catch (error) {
      ctx.log.debug({ method: 'Watch', resource: r.resource, err: (error as Error).message }, 'grpc watch refused');
      throw error;
    }
  };
}

async function serveWatch(ctx: ObjectsContext, r: WatchRequest, call: ServerStream<WatchEvent>): Promise<void> {
  const { type, namespace } = requestScope(r, false);
  const filter = objectFilter(type, r.labelSelector || null, r.fieldSelector || null);
  const session = await startWatch(
    ctx.registry.store,
    { type, namespace, resourceVersion: r.resourceVersion, filter, timeoutSeconds: r.timeoutSeconds, allowBookmarks: r.allowBookmarks, bookmarkIntervalMs: ctx.bookmarkIntervalMs },
    {
      // The watch cache's objects are shared: each is encoded once for all its watchers.
      send: (eventType, object) => call.write({ type: eventType, object: sharedObjectBytes(object) }),
      end: () => call.end(),
    },
    ctx.watches,
  );
  // Also when the client went while the watch was starting: onCancel then calls it at once.
  call.onCancel(session.stop);
}
