import type { ServerResponse } from 'node:http';
import { Errors } from '../errors';
import type { KubeObject, ResourceType } from '../registry/types';
import type { ObjectEvent, ObjectStore } from '../storage/object-store';
import { selectEvent, type ObjectFilter } from './selectors';
import { toTable, type Rendering } from './table';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  /** "" or "0": send the current objects as ADDED first; a number: what happened after it. */
  resourceVersion: string;
  filter: ObjectFilter;
  rendering: Rendering;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  bookmarkIntervalMs: number;
}

/**
 * A watch: newline-delimited JSON events ({"type":"ADDED","object":{...}}) on a chunked response,
 * from one store watch. A resourceVersion the store has compacted away is answered with an ERROR
 * event carrying a 410 Expired Status, as Kubernetes does, so informers relist.
 */
export async function serveWatch(store: ObjectStore, req: WatchRequest, res: ServerResponse, onClose: (cancel: () => void) => void): Promise<void> {
  let fromRevision: number;
  const initial: KubeObject[] = [];
  if (req.resourceVersion === '' || req.resourceVersion === '0') {
    const list = await store.list(req.type, req.namespace);
    fromRevision = Number(list.resourceVersion);
    initial.push(...list.items.filter(req.filter));
  } else {
    fromRevision = Number(req.resourceVersion);
    if (!Number.isInteger(fromRevision) || fromRevision < 0) throw Errors.badRequest(`invalid resource version: ${req.resourceVersion}`);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let lastRevision = fromRevision;
  const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const render = (object: KubeObject) =>
    req.rendering.table ? toTable(req.type, [object], req.rendering.table, { resourceVersion: object.metadata.resourceVersion }) : object;
  for (const object of initial) send('ADDED', render(object));

  let finished = false;
  let timeout: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  const watch = store.watch(req.type, req.namespace, fromRevision, {
    event(event: ObjectEvent, revision: number) {
      lastRevision = revision;
      const selected = selectEvent(event, req.filter);
      if (selected) send(selected.type, render(selected.object));
    },
    expired(compacted: number) {
      send('ERROR', Errors.expired(`too old resource version: ${fromRevision} (${compacted})`).status);
      finish();
    },
    error(error: Error) {
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
    res.end();
  };
  if (req.timeoutSeconds !== undefined) timeout = setTimeout(finish, req.timeoutSeconds * 1000);
  if (req.allowBookmarks) {
    // A bookmark tells the client how far it has seen, so it can resume from there after a break.
    const apiVersion = req.type.group ? `${req.type.group}/${req.type.version}` : req.type.version;
    bookmarks = setInterval(() => send('BOOKMARK', { kind: req.type.kind, apiVersion, metadata: { resourceVersion: String(lastRevision) } }), req.bookmarkIntervalMs);
  }
  res.on('close', finish);
  onClose(finish);
}
