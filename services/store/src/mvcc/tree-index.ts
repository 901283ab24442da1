import BTree from 'sorted-btree';
import { KeyIndex } from './key-index';

/**
 * All keys in byte order (etcd's treeIndex), each with its history. Keys are held as latin1
 * strings: one character per byte, so JavaScript's string order is the byte order etcd uses.
 */
export class TreeIndex {
  private readonly tree = new BTree<string, KeyIndex>();

  get size(): number {
    return this.tree.size;
  }

  get(key: string): KeyIndex | undefined {
    return this.tree.get(key);
  }

  getOrCreate(key: string): KeyIndex {
    let index = this.tree.get(key);
    if (!index) {
      index = new KeyIndex(key);
      this.tree.set(key, index);
    }
    return index;
  }

  delete(key: string): void {
    this.tree.delete(key);
  }

  /**
   * Visits the keys in [key, end) in order; `end` undefined means the single key, `end` null means
   * every key from `key` on. The visitor returns false to stop.
   */
  visit(key: string, end: string | null | undefined, visitor: (index: KeyIndex) => boolean | void): void {
    if (end === undefined) {
      const index = this.tree.get(key);
      if (index) visitor(index);
      return;
    }
    if (end !== null && end <= key) return;
    for (const [k, index] of this.tree.entries(key)) {
      if (end !== null && k >= end) return;
      if (visitor(index) === false) return;
    }
  }

  values(): IterableIterator<KeyIndex> {
    return this.tree.values();
  }
}
