import type { ServerResponse } from 'node:http';
import type { KubeObject, ResourceType } from '../registry/types';
import type { ObjectStore } from '../storage/object-store';
import { serialized } from '../storage/serialized';
import type { ObjectFilter } from './selectors';
import { toTable, type Rendering } from './table';
import type { Status } from '../errors';
import { startWatch, type WatchEventType } from './watch-session';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  resourceVersion: string;
  filter: ObjectFilter;
  rendering: Rendering;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  bookmarkIntervalMs: number;
}

/**
 * The REST watch: newline-delimited JSON events ({"type":"ADDED","object":{...}}) on a chunked
 * response, each object as a one-row Table when kubectl asked for tables (`kubectl get -w`).
 */
export async function serveWatch(store: ObjectStore, req: WatchRequest, res: ServerResponse, open: Set<() => void>): Promise<void> {
  // Headers wait for the watch to start, so a bad resourceVersion can still be a plain 400.
  const start = () => {
    if (res.headersSent) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
  };
  const render = (type: WatchEventType, object: KubeObject | Status) =>
    req.rendering.table && type !== 'BOOKMARK' && type !== 'ERROR' ? toTable(req.type, [object as KubeObject], req.rendering.table, { resourceVersion: (object as KubeObject).metadata.resourceVersion }) : object;
  const session = await startWatch(
    store,
    req,
    {
      send(type, object) {
        start();
        const rendered = render(type, object);
        // A watch-cache object's text is made once for every watcher (and every list) that sends it.
        const text = rendered === object ? serialized(object as KubeObject) : JSON.stringify(rendered);
        res.write(`{"type":"${type}","object":${text}}\n`);
      },
      end() {
        start();
        res.end();
      },
    },
    open,
  );
  start();
  // The client may have gone while the watch was starting.
  if (res.destroyed) session.stop();
  else res.on('close', session.stop);
}
