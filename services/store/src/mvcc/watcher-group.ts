import type { Watcher } from './watcher';

/**
 * The synced watchers (etcd's watcherGroup): those that have seen every committed event and get
 * new ones as they commit. Single-key watchers are found by key; range watchers by a scan.
 */
export class WatcherGroup {
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly ranges = new Set<Watcher>();

  get size(): number {
    let n = this.ranges.size;
    for (const set of this.byKey.values()) n += set.size;
    return n;
  }

  add(watcher: Watcher): void {
    if (watcher.end === undefined) {
      let set = this.byKey.get(watcher.key);
      if (!set) this.byKey.set(watcher.key, (set = new Set()));
      set.add(watcher);
    } else {
      this.ranges.add(watcher);
    }
  }

  delete(watcher: Watcher): boolean {
    if (watcher.end !== undefined) return this.ranges.delete(watcher);
    const set = this.byKey.get(watcher.key);
    if (!set?.delete(watcher)) return false;
    if (set.size === 0) this.byKey.delete(watcher.key);
    return true;
  }

  /** Calls `visit` for each watcher whose range holds `key`. */
  matching(key: string, visit: (watcher: Watcher) => void): void {
    const exact = this.byKey.get(key);
    if (exact) for (const watcher of exact) visit(watcher);
    for (const watcher of this.ranges) if (watcher.contains(key)) visit(watcher);
  }
}
