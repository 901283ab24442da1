import { Errors } from '../errors';
import { Backend, Bucket, type Operation } from './backend';
import { decodeKeyValue, encodeKeyValue } from './kv-codec';
import { compareRevisions, type KeyIndex } from './key-index';
import { bytesToRevision, isTombstone, MAX_SUB, revisionToBytes, type Revision } from './revision';
import { TreeIndex } from './tree-index';
import { NO_LEASE, type Event, type KeyValue } from './types';

/** A range of keys: `end` undefined is the single key, null is every key from `key` on. */
export interface KeyRange {
  key: string;
  end: string | null | undefined;
}

/** A key found by a range: its value now, or the revision to read it from the backend. */
export type RangeEntry = KeyValue | Revision;

export interface RangeResult {
  entries: RangeEntry[];
  /** How many keys the range holds at the revision read, regardless of the limit. */
  count: number;
  /** The reader's current revision (etcd's RangeResult.Rev), whatever revision was read at. */
  rev: number;
}

/** Told when a key is attached to or detached from a lease (the lessor tracks a lease's keys). */
export interface LeaseHooks {
  attach(lease: string, key: string): void;
  detach(lease: string, key: string): void;
}

/** Told, in revision order, when a write is durable: this is what watchers see. */
export type CommitListener = (rev: number, events: Event[]) => void;

/**
 * The multi-version key-value store (etcd's mvcc kvstore): the tree index in memory, every
 * revision's value in the backend, the newest value of each key cached in its KeyIndex.
 *
 * Ordering rule: writes are applied to the index synchronously, one write request at a time (the
 * event loop is the lock), so a request sees every earlier one. A write is acknowledged, and its
 * events reach watchers, only after the backend has synced it: `committedRev` trails `currentRev`
 * by the batch being synced.
 */
export class KVStore {
  readonly index = new TreeIndex();
  /** The newest revision applied to the index. */
  currentRev = 1;
  /** The newest revision that is durable and has been delivered to watchers. */
  committedRev = 1;
  /** Revisions below this one are gone; -1 until the first compaction (as in etcd, so compacting at 0 works once). */
  compactMainRev = -1;
  private compaction: Promise<void> = Promise.resolve();
  private readonly listeners: CommitListener[] = [];
  leaseHooks: LeaseHooks = { attach() {}, detach() {} };

  constructor(readonly backend: Backend) {}

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /** Rebuilds the index from the backend, as etcd does at start: one pass over all revisions. */
  async restore(): Promise<void> {
    const low = Backend.key(Bucket.key, revisionToBytes({ main: 0, sub: 0 }));
    const high = Backend.key(Bucket.key, Buffer.alloc(18, 0xff));
    for await (const [key, value] of this.backend.iterate(low, high)) {
      const revBytes = key.subarray(1);
      const rev = bytesToRevision(revBytes);
      const kv = decodeKeyValue(value);
      const index = this.index.getOrCreate(kv.key.toString('latin1'));
      if (isTombstone(revBytes)) {
        if (index.latest) this.leaseHooks.detach(index.latest.lease, index.key);
        if (index.isLive) index.tombstone(rev);
        index.latest = undefined;
      } else {
        if (index.latest && index.latest.lease !== kv.lease) this.leaseHooks.detach(index.latest.lease, index.key);
        index.restore(rev, kv);
        if (kv.lease !== NO_LEASE) this.leaseHooks.attach(kv.lease, index.key);
      }
      this.currentRev = Math.max(this.currentRev, rev.main);
    }
    const finished = await this.readMeta<number>('finishedCompactRev');
    const scheduled = await this.readMeta<number>('scheduledCompactRev');
    this.compactMainRev = finished ?? -1;
    // Compaction may have removed every change up to the compacted revision (its own tombstones
    // too): the store had reached it all the same, so revisions never go back below it. That holds
    // for one scheduled but cut short by a crash, whose chunks may already be gone from the backend.
    this.currentRev = Math.max(this.currentRev, this.compactMainRev, scheduled ?? -1);
    this.committedRev = this.currentRev;
    // A compaction cut short by a crash is finished now.
    if (scheduled !== undefined && scheduled > this.compactMainRev) await this.compact(scheduled);
  }

  /**
   * The keys of a range at revision `rev` (0: the current one), in key order, at most `limit`
   * (0: all). Synchronous; values not cached come back as revisions for `materialize`. The
   * result's `rev` is `current`, not the revision read at: etcd's header always carries it.
   */
  range(range: KeyRange, rev: number, limit: number, countOnly = false, current = this.currentRev): RangeResult {
    const atRev = rev > 0 ? rev : current;
    if (atRev > current) throw Errors.futureRevision();
    if (atRev < this.compactMainRev) throw Errors.compacted();
    const entries: RangeEntry[] = [];
    let count = 0;
    this.index.visit(range.key, range.end, (index) => {
      const at = index.get(atRev);
      if (!at) return;
      count++;
      if (countOnly || (limit > 0 && entries.length >= limit)) return;
      entries.push(index.isLive && compareRevisions(at.modified, index.modified!) === 0 ? index.latest! : at.modified);
    });
    return { entries, count, rev: current };
  }

  /** Reads the values a range left in the backend. */
  async materialize(entries: RangeEntry[]): Promise<KeyValue[]> {
    if (entries.every(isKeyValue)) return entries;
    return Promise.all(
      entries.map(async (entry) => {
        if (isKeyValue(entry)) return entry;
        const bytes = await this.backend.get(Backend.key(Bucket.key, revisionToBytes(entry)));
        if (!bytes) throw Errors.compacted();
        return decodeKeyValue(bytes);
      }),
    );
  }

  /** Begins the next write: everything done through it shares one main revision. */
  write(): WriteTxn {
    return new WriteTxn(this);
  }

  /**
   * Compacts away the history before `rev` (etcd's Compact): index first, so reads below `rev`
   * fail at once, then the backend, in chunks. Resolves when the backend is done.
   */
  compact(rev: number): Promise<void> {
    if (rev <= this.compactMainRev) throw Errors.compacted();
    if (rev > this.currentRev) throw Errors.futureRevision();
    this.compactMainRev = rev;
    void this.backend.write([metaPut('scheduledCompactRev', rev)]);
    const keep = new Set<string>();
    const emptied: string[] = [];
    for (const index of this.index.values()) {
      index.compact(rev, keep);
      if (index.isEmpty) emptied.push(index.key);
    }
    for (const key of emptied) this.index.delete(key);
    this.compaction = this.compaction.then(() => this.compactBackend(rev, keep));
    return this.compaction;
  }

  private async compactBackend(rev: number, keep: Set<string>): Promise<void> {
    await this.backend.flushed();
    const low = Backend.key(Bucket.key, revisionToBytes({ main: 0, sub: 0 }));
    const high = Backend.key(Bucket.key, Buffer.concat([revisionToBytes({ main: rev, sub: MAX_SUB }), Buffer.from([0xff])]));
    let chunk: Operation[] = [];
    for await (const [key] of this.backend.iterate(low, high)) {
      const r = bytesToRevision(key.subarray(1));
      if (keep.has(`${r.main}_${r.sub}`)) continue;
      chunk.push({ type: 'del', key });
      if (chunk.length >= 1000) {
        await this.backend.write(chunk);
        chunk = [];
      }
    }
    chunk.push(metaPut('finishedCompactRev', rev));
    await this.backend.write(chunk);
  }

  /** Called by WriteTxn.end(): the write's changes are in the index; make them durable. */
  commitWrite(rev: number, operations: Operation[], events: Event[]): Promise<void> {
    this.currentRev = rev;
    const durable = this.backend.write(operations);
    return durable.then(() => {
      this.committedRev = rev;
      for (const listener of this.listeners) listener(rev, events);
    });
  }

  private async readMeta<T>(name: string): Promise<T | undefined> {
    const bytes = await this.backend.get(Backend.key(Bucket.meta, name));
    return bytes ? (JSON.parse(bytes.toString()) as T) : undefined;
  }
}

/**
 * One write request's changes: puts and deletes applied to the index at once, under one main
 * revision with increasing subs, then handed to the backend together by `end()`.
 */
export class WriteTxn {
  readonly rev: number;
  private sub = 0;
  private readonly operations: Operation[] = [];
  readonly events: Event[] = [];

  constructor(private readonly store: KVStore) {
    this.rev = store.currentRev + 1;
  }

  /** The revision reads inside this write see: its own changes included. */
  get readRev(): number {
    return this.sub > 0 ? this.rev : this.store.currentRev;
  }

  put(key: Buffer, value: Buffer, lease: string): KeyValue | undefined {
    const index = this.store.index.getOrCreate(key.toString('latin1'));
    const prev = index.isLive ? index.latest : undefined;
    const rev = this.nextRevision();
    const kv: KeyValue = {
      key,
      value,
      lease,
      create_revision: prev ? prev.create_revision : rev.main,
      mod_revision: rev.main,
      version: prev ? prev.version + 1 : 1,
    };
    index.put(rev);
    index.latest = kv;
    if (prev && prev.lease !== lease) this.store.leaseHooks.detach(prev.lease, index.key);
    if (lease !== NO_LEASE && prev?.lease !== lease) this.store.leaseHooks.attach(lease, index.key);
    this.operations.push({ type: 'put', key: Backend.key(Bucket.key, revisionToBytes(rev)), value: encodeKeyValue(kv) });
    this.events.push(prev ? { type: 'PUT', kv, prev_kv: prev } : { type: 'PUT', kv });
    return prev;
  }

  /** Deletes every live key of the range; returns their values before the delete. */
  deleteRange(range: KeyRange): KeyValue[] {
    const doomed: KeyIndex[] = [];
    this.store.index.visit(range.key, range.end, (index) => {
      if (index.isLive) doomed.push(index);
    });
    return doomed.map((index) => this.tombstone(index));
  }

  private tombstone(index: KeyIndex): KeyValue {
    const prev = index.latest!;
    const rev = this.nextRevision();
    const kv: KeyValue = { key: prev.key, value: EMPTY, lease: NO_LEASE, create_revision: 0, mod_revision: rev.main, version: 0 };
    index.tombstone(rev);
    index.latest = undefined;
    if (prev.lease !== NO_LEASE) this.store.leaseHooks.detach(prev.lease, index.key);
    this.operations.push({ type: 'put', key: Backend.key(Bucket.key, revisionToBytes(rev, true)), value: encodeKeyValue(kv) });
    this.events.push({ type: 'DELETE', kv, prev_kv: prev });
    return prev;
  }

  /** A read inside this write: it sees the write's own changes. */
  range(range: KeyRange, rev: number, limit: number, countOnly: boolean): RangeResult {
    return this.store.range(range, rev, limit, countOnly, this.readRev);
  }

  /** Adds a backend operation outside the key bucket (lease records) to this write's batch. */
  addOperation(operation: Operation): void {
    this.operations.push(operation);
  }

  /** Finishes the write. The promise resolves when it is durable (and watchers were told). */
  end(): Promise<void> {
    if (this.sub === 0) {
      // Nothing changed a key: no new revision, but other operations must still be durable.
      return this.operations.length > 0 ? this.store.backend.write(this.operations) : this.store.backend.flushed();
    }
    return this.store.commitWrite(this.rev, this.operations, this.events);
  }

  private nextRevision(): Revision {
    return { main: this.rev, sub: this.sub++ };
  }
}

const EMPTY = Buffer.alloc(0);

function isKeyValue(entry: RangeEntry): entry is KeyValue {
  return 'key' in entry;
}

function metaPut(name: string, value: unknown): Operation {
  return { type: 'put', key: Backend.key(Bucket.meta, name), value: Buffer.from(JSON.stringify(value)) };
}

export { metaPut };
