import { compareRevisions, type Revision } from './revision';
import type { KeyValue } from './types';

/**
 * One life of a key: from its creation to its deletion. `revs` lists every change in it; when the
 * key was deleted, the last entry is the tombstone. `version` counts the changes (the tombstone too).
 */
export interface Generation {
  created: Revision;
  version: number;
  revs: Revision[];
}

/** Where a key stood at some revision. */
export interface KeyAt {
  modified: Revision;
  created: Revision;
  version: number;
}

/**
 * The history of one key (etcd's keyIndex): its generations, oldest first. The last generation is
 * the current one, empty if the key is deleted now. `latest` caches the value of the newest put so
 * reads at the current revision never touch the backend.
 */
export class KeyIndex {
  generations: Generation[] = [{ created: { main: 0, sub: 0 }, version: 0, revs: [] }];
  latest: KeyValue | undefined;

  constructor(readonly key: string) {}

  /** The newest revision of any change to this key. */
  get modified(): Revision | undefined {
    for (let i = this.generations.length - 1; i >= 0; i--) {
      const revs = this.generations[i]!.revs;
      if (revs.length > 0) return revs[revs.length - 1];
    }
    return undefined;
  }

  put(rev: Revision): void {
    const current = this.current();
    if (current.revs.length === 0) current.created = rev;
    current.revs.push(rev);
    current.version++;
  }

  /** Replays a put found in the backend at start-up: a generation restored after compaction keeps the stored creation and version. */
  restore(rev: Revision, kv: KeyValue): void {
    this.put(rev);
    const current = this.current();
    current.created = { main: kv.create_revision, sub: 0 };
    current.version = kv.version;
    this.latest = kv;
  }

  /** Records a delete: the tombstone closes the current generation and opens an empty one. */
  tombstone(rev: Revision): void {
    if (this.current().revs.length === 0) throw new Error(`mvcc: tombstone of a key that does not exist: ${this.key}`);
    this.put(rev);
    this.generations.push({ created: { main: 0, sub: 0 }, version: 0, revs: [] });
  }

  get isLive(): boolean {
    return this.current().revs.length > 0;
  }

  get isEmpty(): boolean {
    return this.generations.length === 1 && this.generations[0]!.revs.length === 0;
  }

  /** The key as it was at revision `atRev`, or undefined if it did not exist then. */
  get(atRev: number): KeyAt | undefined {
    const generation = this.findGeneration(atRev);
    if (!generation) return undefined;
    const { revs } = generation;
    for (let n = revs.length - 1; n >= 0; n--) {
      if (revs[n]!.main <= atRev) {
        return { modified: revs[n]!, created: generation.created, version: generation.version - (revs.length - n - 1) };
      }
    }
    return undefined;
  }

  /** Every change with a main revision at or after `rev`, oldest first (for watch catch-up). */
  since(rev: number): Revision[] {
    const out: Revision[] = [];
    for (const generation of this.generations) {
      for (const r of generation.revs) if (r.main >= rev) out.push(r);
    }
    return out;
  }

  /**
   * Forgets the history before `atRev`: keeps, per key, the newest change at or before `atRev`
   * unless that change is a tombstone. The revisions still needed are added to `keep`; the caller
   * deletes every other backend revision at or before `atRev`.
   */
  compact(atRev: number, keep: Set<string>): void {
    // Skip the generations that ended (tombstone) at or before atRev: nothing in them is visible any more.
    let index = 0;
    while (index < this.generations.length - 1) {
      const { revs } = this.generations[index]!;
      if (revs[revs.length - 1]!.main > atRev) break;
      index++;
    }
    const generation = this.generations[index]!;
    if (generation.revs.length > 0) {
      let newest = -1;
      for (let n = generation.revs.length - 1; n >= 0; n--) {
        if (generation.revs[n]!.main <= atRev) {
          newest = n;
          break;
        }
      }
      if (newest !== -1) {
        generation.revs = generation.revs.slice(newest);
        keep.add(revisionKey(generation.revs[0]!));
      }
      // A generation reduced to its tombstone is gone entirely.
      if (generation.revs.length === 1 && index !== this.generations.length - 1) {
        keep.delete(revisionKey(generation.revs[0]!));
        index++;
      }
    }
    this.generations = this.generations.slice(index);
  }

  private current(): Generation {
    return this.generations[this.generations.length - 1]!;
  }

  private findGeneration(rev: number): Generation | undefined {
    const last = this.generations.length - 1;
    for (let i = last; i >= 0; i--) {
      const generation = this.generations[i]!;
      if (generation.revs.length === 0) continue;
      // A closed generation ends with its tombstone: at or after it, the key did not exist.
      if (i !== last && generation.revs[generation.revs.length - 1]!.main <= rev) return undefined;
      if (generation.revs[0]!.main <= rev) return generation;
    }
    return undefined;
  }
}

/** A revision as a map key. */
export function revisionKey(rev: Revision): string {
  return `${rev.main}_${rev.sub}`;
}

export { compareRevisions };
