import type * as grpc from '@grpc/grpc-js';
import type { WatchEvent, WatchEventType, WatchRequest } from '@kubelab/proto';
import { Errors } from '../errors';
import { objectFilter } from '../endpoints/selectors';
import { groupVersion, type KubeObject } from '../registry/types';
import type { ObjectsContext } from './handlers';
import { encodeObject, requestScope } from './request-scope';
import { watchSelected } from './selecting-watch';
import { toServiceError } from './status';

/**
 * Objects.Watch: the REST watch (endpoints/watch.ts) on a gRPC server stream. "" or "0" sends the
 * current objects as ADDED first; a resourceVersion sends what happened after it; one the store
 * has compacted away gets an ERROR event with a 410 Expired Status and the stream ends, so the
 * client relists. Bookmarks carry the revision the store vouches for (etcd's progress notify).
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
  const store = ctx.registry.store;
  let fromRevision: number;
  const initial: KubeObject[] = [];
  if (r.resourceVersion === '' || r.resourceVersion === '0') {
    const list = await store.list(type, namespace);
    fromRevision = Number(list.resourceVersion);
    initial.push(...list.items.filter(filter));
  } else {
    fromRevision = Number(r.resourceVersion);
    if (!Number.isInteger(fromRevision) || fromRevision < 0) throw Errors.badRequest(`invalid resource version: ${r.resourceVersion}`);
  }
  if (call.cancelled) return;

  let finished = false;
  let lastRevision = fromRevision;
  let timeout: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  const send = (eventType: WatchEventType, object: unknown) => {
    if (!finished) call.write({ type: eventType, object: encodeObject(object) });
  };
  for (const object of initial) send('ADDED', object);
  const watch = watchSelected(store, type, namespace, fromRevision, filter, {
    event(selected, revision) {
      lastRevision = revision;
      if (selected) send(selected.type, selected.object);
    },
    progress(revision) {
      // Nothing up to `revision` is left to send: the bookmark can say so, matching events or not.
      lastRevision = Math.max(lastRevision, revision);
      if (r.allowBookmarks) send('BOOKMARK', { kind: type.kind, apiVersion: groupVersion(type), metadata: { resourceVersion: String(lastRevision) } });
    },
    expired(compacted) {
      send('ERROR', Errors.expired(`too old resource version: ${fromRevision} (${compacted})`).status);
      finish();
    },
    error(error) {
      send('ERROR', Errors.internal(error).status);
      finish();
    },
  });
  const finish = () => {
    if (finished) return;
    finished = true;
    watch.cancel();
    clearTimeout(timeout);
    clearInterval(bookmarks);
    ctx.watches.delete(finish);
    if (!call.cancelled) call.end();
  };
  ctx.watches.add(finish);
  call.on('cancelled', finish);
  call.on('error', finish);
  if (r.timeoutSeconds > 0) timeout = setTimeout(finish, r.timeoutSeconds * 1000);
  // A bookmark asks the store how far it has delivered (the answer comes as `progress` above), so
  // a client whose selector matches nothing still resumes from a recent resourceVersion.
  if (r.allowBookmarks) bookmarks = setInterval(() => watch.requestProgress(), ctx.bookmarkIntervalMs);
}
