import type { ServerResponse } from 'node:http';
import type { KubeObject, ResourceType } from '../registry/types';
import type { ObjectStore } from '../storage/object-store';
import type { ObjectFilter } from './selectors';
import { toTable, type Rendering } from './table';
import { startWatch } from './watch-session';

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
export async function serveWatch(store: ObjectStore, req: WatchRequest, res: ServerResponse, onClose: (cancel: () => void) => void): Promise<void> {
  let started = false;
  const render = (object: KubeObject) =>
    req.rendering.table && object.kind !== 'Status' && object.metadata?.name !== undefined ? toTable(req.type, [object], req.rendering.table, { resourceVersion: object.metadata.resourceVersion }) : object;
  const session = await startWatch(store, req, {
    send(type, object) {
      if (!started) start();
      res.write(`${JSON.stringify({ type, object: type === 'BOOKMARK' || type === 'ERROR' ? object : render(object as KubeObject) })}\n`);
    },
    end() {
      if (!started) start();
      res.end();
    },
  });
  function start() {
    started = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
  }
  if (!started) start();
  res.on('close', () => session.stop());
  onClose(() => session.stop());
}
