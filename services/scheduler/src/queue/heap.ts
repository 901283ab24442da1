/**
 * A binary heap with lookup by key (Kubernetes' internal/heap): the scheduling queue needs the
 * smallest element fast and also to update or delete any pod by its key.
 */
export class Heap<T> {
  private readonly items: T[] = [];
  /** keys[i] is keyOf(items[i]), kept beside it: moving an item must not build its key again. */
  private readonly keys: string[] = [];
  private readonly positions = new Map<string, number>();

  constructor(
    private readonly keyOf: (item: T) => string,
    /** True when `a` must come out before `b`. */
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get length(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.positions.has(key);
  }

  get(key: string): T | undefined {
    const i = this.positions.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  /** Adds the item, or replaces the one with its key and moves it to its new place. */
  addOrUpdate(item: T): void {
    const key = this.keyOf(item);
    const at = this.positions.get(key);
    if (at !== undefined) {
      this.items[at] = item;
      this.fix(at);
      return;
    }
    this.items.push(item);
    this.keys.push(key);
    this.positions.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  delete(key: string): T | undefined {
    const at = this.positions.get(key);
    if (at === undefined) return undefined;
    const item = this.items[at]!;
    const last = this.items.length - 1;
    if (at !== last) this.swap(at, last);
    this.items.pop();
    this.keys.pop();
    this.positions.delete(key);
    if (at !== last) this.fix(at);
    return item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.delete(this.keys[0]!);
    return top;
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i]!, this.items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
    return i !== start;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      let smallest = left;
      const right = left + 1;
      if (right < n && this.less(this.items[right]!, this.items[left]!)) smallest = right;
      if (!this.less(this.items[smallest]!, this.items[i]!)) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    const keyA = this.keys[i]!;
    const keyB = this.keys[j]!;
    this.items[i] = b;
    this.items[j] = a;
    this.keys[i] = keyB;
    this.keys[j] = keyA;
    this.positions.set(keyB, i);
    this.positions.set(keyA, j);
  }
}
