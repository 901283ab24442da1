import type * as grpc from '@grpc/grpc-js';
import type { WatchEvent, WatchRequest } from '@kubelab/proto';
import { objectFilter } from '../endpoints/selectors';
import { startWatch } from '../endpoints/watch-session';
import type { ObjectsContext } from './handlers';
import { requestScope } from './request-scope';
import { sharedObjectBytes } from './shared-bytes';
import { toServiceError } from './status';

/**
 * Objects.Watch: the same watch as the REST one (endpoints/watch-session.ts), on a gRPC server
 * stream: from the watch cache, through the selector, with 410 Expired as an ERROR event and
 * bookmarks when asked.
 */
export function watchHandler(ctx: ObjectsContext): grpc.handleServerStreamingCall<WatchRequest, WatchEvent> {
  return (call) => {
    serveWatch(ctx, call).catch((error: unknown) => {
      ctx.log.debug({ method: 'Watch', resource: call.request.resource, err: (error as Error).message }, 'grpc watch refused');
      call.emit('error', toServiceError(error));
    });
  };
}

async function serveWatch(ctx: ObjectsContext, call: grpc.ServerWritableStream<WatchRequest, WatchEvent>): Promise<void> {
  const r = call.request;
  const { type, namespace } = requestScope(r, false);
  const filter = objectFilter(type, r.labelSelector || null, r.fieldSelector || null);
  const session = await startWatch(
    ctx.registry.store,
    { type, namespace, resourceVersion: r.resourceVersion, filter, timeoutSeconds: r.timeoutSeconds, allowBookmarks: r.allowBookmarks, bookmarkIntervalMs: ctx.bookmarkIntervalMs },
    {
      // The watch cache's objects are shared: each is encoded once for all its watchers.
      send: (eventType, object) => call.write({ type: eventType, object: sharedObjectBytes(object) }),
      end() {
        if (!call.cancelled) call.end();
      },
    },
    ctx.watches,
  );
  // The client may have gone while the watch was starting.
  if (call.cancelled) return session.stop();
  call.on('cancelled', session.stop);
  call.on('error', session.stop);
}
