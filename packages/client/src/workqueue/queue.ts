/** What `get` hands out: an item to process, or word that the queue has shut down. */
export type QueueGet<T> = { shutdown: false; item: T } | { shutdown: true; item?: undefined };

/**
 * The work queue (client-go workqueue.Type): a FIFO of keys with two guarantees a controller
 * relies on. An item is queued at most once however often it is added (the dirty set), and an
 * item is never processed by two workers at once: one added while being processed waits, and is
 * queued again when its worker calls `done` (the processing set).
 */
export class WorkQueue<T> {
  /** Waiting to be handed out, in order; every item here is also in `dirty`. */
  private queue: T[] = [];
  /** Needs processing (queued, or added again while processing). */
  private readonly dirty = new Set<T>();
  /** Handed out by `get` and not yet `done`. */
  private readonly processing = new Set<T>();
  /** Workers blocked in `get`, oldest first. */
  private waiters: Array<(result: QueueGet<T>) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shutdownRequested = false;

  add(item: T): void {
    if (this.shutdownRequested || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return; // queued again by done()
    this.queue.push(item);
    this.deliver();
  }

  /** The number of items waiting (not those being processed). */
  len(): number {
    return this.queue.length;
  }

  /**
   * The next item, once there is one. Items still queued at shutdown are handed out first;
   * after that every `get` answers `{ shutdown: true }` and the worker should return.
   */
  get(): Promise<QueueGet<T>> {
    if (this.queue.length > 0) return Promise.resolve({ shutdown: false, item: this.take() });
    if (this.shutdownRequested) return Promise.resolve({ shutdown: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks an item processed; if it was added meanwhile, it is queued again now. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.deliver();
    }
    if (this.processing.size === 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  /** Stops taking new items; workers blocked in `get` are told to shut down. */
  shutDown(): void {
    this.shutdownRequested = true;
    for (const resolve of this.waiters.splice(0)) resolve({ shutdown: true });
  }

  /** shutDown, then wait until every item handed out is `done` (client-go ShutDownWithDrain). */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.shutdownRequested;
  }

  private take(): T {
    const item = this.queue.shift() as T;
    this.processing.add(item);
    this.dirty.delete(item);
    return item;
  }

  private deliver(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) this.waiters.shift()!({ shutdown: false, item: this.take() });
  }
}
