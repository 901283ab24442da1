import type { ServerStream } from '@kubelab/proto';
import { toKeyRange } from '../apply/key-range';
import type { Watcher, WatcherMessage } from '../mvcc/watcher';
import { Errors, toCallStatus } from '../errors';
import type { ServerContext } from './context';
import { bidi, type ServiceHandlers } from './unary';

interface WatchCreateRequest {
  key: Buffer;
  range_end: Buffer;
  start_revision: string;
  progress_notify: boolean;
  filters: Array<string | number>;
  prev_kv: boolean;
  watch_id: string;
}

interface WatchRequest {
  request_union?: 'create_request' | 'cancel_request' | 'progress_request';
  create_request?: WatchCreateRequest;
  cancel_request?: { watch_id: string };
}

/**
 * etcdserverpb.Watch: one bidirectional stream carries many watches (etcd's serverWatchStream).
 * Watch IDs are per stream; 0 asks the server to choose.
 */
export function watchService(ctx: ServerContext): ServiceHandlers {
  return {
    Watch: bidi((call: ServerStream<object>) => {
      const stream = new WatchStream(ctx, call);
      return { onMessage: (request: WatchRequest) => stream.onRequest(request), onHalfClose: () => stream.close(true) };
    }),
  };
}

class WatchStream {
  private readonly watchers = new Map<number, { watcher: Watcher; progressNotify: boolean; sentSinceTick: boolean }>();
  private nextId = 0;
  private readonly progressTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly call: ServerStream<object>,
  ) {
    ctx.metrics.watchStreams.inc();
    // The client cancelled or went away, or the transport refused one of its requests.
    call.onCancel(() => this.close(false));
    ctx.streams.add(this.stop);
    this.progressTimer = setInterval(() => this.sendProgressNotifications(), ctx.progressNotifyIntervalMs);
    this.progressTimer.unref();
  }

  onRequest(request: WatchRequest): void {
    switch (request.request_union) {
      case 'create_request':
        return this.create(request.create_request!);
      case 'cancel_request':
        return this.cancel(Number(request.cancel_request!.watch_id));
      case 'progress_request':
        // etcd 3.4: one response for the whole stream, watch_id -1.
        return this.send({ header: this.ctx.header(this.streamProgress()), watch_id: -1 });
      default:
        return;
    }
  }

  private create(r: WatchCreateRequest): void {
    const range = toKeyRange(r.key, r.range_end);
    const requestedId = Number(r.watch_id);
    const currentRev = this.ctx.kv.currentRev;
    const refuse = (reason: string) =>
      this.send({ header: this.ctx.header(currentRev), watch_id: -1, created: true, canceled: true, cancel_reason: reason });
    if (range.end !== undefined && range.end !== null && range.end <= range.key) return refuse('mvcc: watcher range is empty');
    if (requestedId !== 0 && this.watchers.has(requestedId)) return refuse('mvcc: duplicate watch ID provided on the WatchStream');
    let id = requestedId;
    if (id === 0) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    }
    const filters = new Set(r.filters.map(String));
    // The created response goes out before any event the watcher may already have.
    this.send({ header: this.ctx.header(currentRev), watch_id: id, created: true });
    const entry = { watcher: undefined as unknown as Watcher, progressNotify: r.progress_notify, sentSinceTick: false };
    this.watchers.set(id, entry);
    entry.watcher = this.ctx.watchable.watch(
      { ...range, startRev: Number(r.start_revision), prevKv: r.prev_kv, noPut: filters.has('NOPUT'), noDelete: filters.has('NODELETE') },
      (message) => this.deliver(id, message),
    );
    this.ctx.metrics.watchers.inc();
  }

  private deliver(id: number, message: WatcherMessage): void {
    const entry = this.watchers.get(id);
    if (!entry) return;
    if ('compactRevision' in message) {
      this.watchers.delete(id);
      this.ctx.metrics.watchers.dec();
      // etcd's compaction response carries no revision: its header says 0.
      this.send({ header: this.ctx.header(0), watch_id: id, canceled: true, compact_revision: message.compactRevision });
      return;
    }
    if ('cancelReason' in message) {
      this.watchers.delete(id);
      this.ctx.metrics.watchers.dec();
      this.send({ header: this.ctx.header(), watch_id: id, canceled: true, cancel_reason: message.cancelReason });
      return;
    }
    entry.sentSinceTick = true;
    this.send({ header: this.ctx.header(message.rev), watch_id: id, events: message.events });
  }

  private cancel(id: number): void {
    const entry = this.watchers.get(id);
    if (!entry) return;
    this.ctx.watchable.cancel(entry.watcher);
    this.watchers.delete(id);
    this.ctx.metrics.watchers.dec();
    this.send({ header: this.ctx.header(), watch_id: id, canceled: true });
  }

  /** etcd's progress_notify: a synced watcher that got nothing for an interval is told the revision. */
  private sendProgressNotifications(): void {
    for (const [id, entry] of this.watchers) {
      if (entry.progressNotify && !entry.sentSinceTick && entry.watcher.synced) {
        this.send({ header: this.ctx.header(this.ctx.watchable.progressOf(entry.watcher)), watch_id: id });
      }
      entry.sentSinceTick = false;
    }
  }

  /** The revision every watcher of this stream has been told everything up to. */
  private streamProgress(): number {
    let rev = this.ctx.kv.committedRev;
    for (const { watcher } of this.watchers.values()) rev = Math.min(rev, this.ctx.watchable.progressOf(watcher));
    return rev;
  }

  private send(response: object): void {
    if (this.closed) return;
    this.call.write(response);
  }

  /** The store is shutting down: the stream ends as etcd's do then. */
  private readonly stop = () => {
    if (this.closed) return;
    this.close(false);
    this.call.end(toCallStatus(Errors.stopped()));
  };

  /** Ends the stream's watchers; `endStream`: and the call, with status OK (the client half-closed). */
  close(endStream: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.streams.delete(this.stop);
    clearInterval(this.progressTimer);
    for (const { watcher } of this.watchers.values()) this.ctx.watchable.cancel(watcher);
    this.ctx.metrics.watchers.dec(this.watchers.size);
    this.ctx.metrics.watchStreams.dec();
    this.watchers.clear();
    if (endStream) this.call.end();
  }
}
