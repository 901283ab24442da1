import type { Event } from './types';

/** What a watcher is told: events (with the revision they bring it to) or that it was compacted away. */
export type WatcherMessage = { events: Event[]; rev: number } | { compactRevision: number } | { cancelReason: string };

export interface WatchOptions {
  key: string;
  /** undefined: the single key; null: every key from `key` on. */
  end: string | null | undefined;
  /** The first revision to report; 0 means from the next write on. */
  startRev: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
}

/** One watch on a key range (etcd's watcher): `minRev` is the next revision it must see. */
export class Watcher {
  readonly key: string;
  readonly end: string | null | undefined;
  minRev: number;
  /** Whether it is in the synced group (gets events as they commit) or still catching up. */
  synced = false;
  canceled = false;

  constructor(
    readonly options: WatchOptions,
    startRev: number,
    readonly send: (message: WatcherMessage) => void,
  ) {
    this.key = options.key;
    this.end = options.end;
    this.minRev = startRev;
  }

  contains(key: string): boolean {
    if (this.end === undefined) return key === this.key;
    return key >= this.key && (this.end === null || key < this.end);
  }

  /** The event as this watcher wants it, or undefined if its filters drop it. */
  shape(event: Event): Event | undefined {
    if (event.type === 'PUT' ? this.options.noPut : this.options.noDelete) return undefined;
    if (this.options.prevKv || !event.prev_kv) return event;
    return { type: event.type, kv: event.kv };
  }
}
