import { Backend, Bucket } from './backend';
import { decodeKeyValue } from './kv-codec';
import type { KVStore } from './kv-store';
import { isTombstone, MAX_SUB, revisionToBytes } from './revision';
import type { Event } from './types';
import { Watcher, type WatchOptions, type WatcherMessage } from './watcher';
import { WatcherGroup } from './watcher-group';

/** Most events sent in one message while a watcher catches up from the backend. */
const CATCH_UP_CHUNK = 1000;

/**
 * Watches over the KV store (etcd's watchableStore). A watcher that starts at or before the newest
 * committed revision first catches up from the backend (unsynced), then joins the synced group,
 * which receives each commit's events as it becomes durable. The move from one to the other
 * happens synchronously right after the last backend read, so no revision is missed or repeated.
 */
export class WatchableStore {
  readonly synced = new WatcherGroup();
  readonly unsynced = new Set<Watcher>();

  constructor(private readonly kv: KVStore) {
    kv.onCommit((rev, events) => this.notify(rev, events));
  }

  get watcherCount(): number {
    return this.synced.size + this.unsynced.size;
  }

  watch(options: WatchOptions, send: (message: WatcherMessage) => void): Watcher {
    const startRev = options.startRev > 0 ? options.startRev : this.kv.currentRev + 1;
    const watcher = new Watcher(options, startRev, send);
    if (startRev > this.kv.committedRev) {
      watcher.synced = true;
      this.synced.add(watcher);
    } else {
      this.unsynced.add(watcher);
      void this.catchUp(watcher);
    }
    return watcher;
  }

  cancel(watcher: Watcher): void {
    watcher.canceled = true;
    this.synced.delete(watcher);
    this.unsynced.delete(watcher);
  }

  /** The revision up to which this watcher has been told everything. */
  progressOf(watcher: Watcher): number {
    return watcher.synced ? this.kv.committedRev : watcher.minRev - 1;
  }

  private notify(rev: number, events: Event[]): void {
    const batches = new Map<Watcher, Event[]>();
    for (const event of events) {
      this.synced.matching(event.kv.key.toString('latin1'), (watcher) => {
        if (rev < watcher.minRev) return;
        const shaped = watcher.shape(event);
        if (!shaped) return;
        let batch = batches.get(watcher);
        if (!batch) batches.set(watcher, (batch = []));
        batch.push(shaped);
      });
    }
    for (const [watcher, batch] of batches) {
      watcher.minRev = rev + 1;
      watcher.send({ events: batch, rev });
    }
  }

  private async catchUp(watcher: Watcher): Promise<void> {
    try {
      for (;;) {
        if (watcher.canceled) return;
        if (watcher.minRev < this.kv.compactMainRev) {
          this.cancel(watcher);
          watcher.send({ compactRevision: this.kv.compactMainRev });
          return;
        }
        const target = this.kv.committedRev;
        if (watcher.minRev > target) {
          // Synchronously from the check above to here: no commit can slip between.
          this.unsynced.delete(watcher);
          watcher.synced = true;
          this.synced.add(watcher);
          return;
        }
        await this.replay(watcher, watcher.minRev, target);
        watcher.minRev = target + 1;
      }
    } catch (error) {
      // Compacted under our feet: say so as etcd does. Anything else (a failed read) is not a
      // compaction, and the watch is cancelled with the reason.
      this.cancel(watcher);
      if (watcher.minRev < this.kv.compactMainRev) watcher.send({ compactRevision: this.kv.compactMainRev });
      else watcher.send({ cancelReason: `kubelab store: watch catch-up failed: ${(error as Error).message}` });
    }
  }

  /** Sends the watcher the committed events of revisions [from, to] from the backend. */
  private async replay(watcher: Watcher, from: number, to: number): Promise<void> {
    const low = Backend.key(Bucket.key, revisionToBytes({ main: from, sub: 0 }));
    const high = Backend.key(Bucket.key, Buffer.concat([revisionToBytes({ main: to, sub: MAX_SUB }), Buffer.from([0xff])]));
    let batch: Event[] = [];
    for await (const [key, value] of this.kv.backend.iterate(low, high)) {
      if (watcher.canceled) return;
      const kv = decodeKeyValue(value);
      if (!watcher.contains(kv.key.toString('latin1'))) continue;
      const event: Event = { type: isTombstone(key.subarray(1)) ? 'DELETE' : 'PUT', kv };
      if (watcher.options.prevKv) event.prev_kv = await this.previous(kv.key, kv.mod_revision);
      const shaped = watcher.shape(event);
      if (!shaped) continue;
      batch.push(shaped);
      if (batch.length >= CATCH_UP_CHUNK) {
        watcher.send({ events: batch, rev: to });
        batch = [];
      }
    }
    if (batch.length > 0) watcher.send({ events: batch, rev: to });
  }

  private async previous(key: Buffer, rev: number) {
    if (rev - 1 < this.kv.compactMainRev) return undefined;
    const result = this.kv.range({ key: key.toString('latin1'), end: undefined }, rev - 1, 1);
    const [kv] = await this.kv.materialize(result.entries);
    return kv;
  }
}
