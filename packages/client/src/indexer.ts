import { metaNamespaceKey, type KubeObject } from './types';

/** The values an object is filed under in one index (cache.IndexFunc): none, one or several. */
export type IndexFunc<T> = (object: T) => string[];

/** The index every Indexer keeps: objects by namespace (cache.NamespaceIndex). */
export const NAMESPACE_INDEX = 'namespace';

export function metaNamespaceIndexFunc(object: KubeObject): string[] {
  return [object.metadata.namespace ?? ''];
}

/**
 * The informer's local store (client-go cache.Indexer on a threadSafeMap): objects by their
 * `namespace/name` key, plus named indices from value to keys, kept in step on every write, so
 * "the pods on node-1" is a lookup, not a scan. Objects handed out are the stored ones: clone
 * before changing them.
 */
export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys of the objects filed under it. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: metaNamespaceIndexFunc, ...indexers });
  }

  /** Adds indices; existing objects are filed under them at once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer conflict: ${name}`);
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, object] of this.items) this.file(name, fn, key, object);
    }
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  /** Adds or replaces an object; returns the one it replaced. */
  update(object: T): T | undefined {
    const key = metaNamespaceKey(object);
    const old = this.items.get(key);
    this.items.set(key, object);
    for (const [name, fn] of this.indexers) {
      const values = fn(object);
      if (old) {
        const oldValues = fn(old);
        // Most updates (a status, a label elsewhere) leave an index's values as they were (client-go's updateIndices).
        if (sameValues(oldValues, values)) continue;
        this.unfileFrom(name, key, oldValues);
      }
      this.fileUnder(name, key, values);
    }
    return old;
  }

  /** Removes the object with this object's key; returns what was stored. */
  delete(object: T): T | undefined {
    return this.deleteByKey(metaNamespaceKey(object));
  }

  deleteByKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unfile(key, old);
    this.items.delete(key);
    return old;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  /** The object `namespace/name` (namespace undefined or '' for cluster-scoped objects). */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(metaNamespaceKey({ metadata: { namespace, name } }));
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Swaps the whole content (after a list); indices are rebuilt. */
  replace(objects: T[]): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const object of objects) this.update(object);
  }

  /** The objects filed under `value` in the index `indexName` (cache.ByIndex). */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    return [...(this.index(indexName).get(value) ?? [])];
  }

  /** The objects sharing any of `object`'s values in the index (cache.Index). */
  byIndexOf(indexName: string, object: T): T[] {
    const keys = new Set<string>();
    for (const value of this.indexers.get(indexName)?.(object) ?? []) for (const key of this.index(indexName).get(value) ?? []) keys.add(key);
    return [...keys].map((key) => this.items.get(key)!);
  }

  /** Every value the index has objects under (cache.ListIndexFuncValues). */
  listIndexFuncValues(indexName: string): string[] {
    return [...this.index(indexName).keys()];
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index with name ${name} does not exist`);
    return index;
  }

  private file(name: string, fn: IndexFunc<T>, key: string, object: T): void {
    this.fileUnder(name, key, fn(object));
  }

  private fileUnder(name: string, key: string, values: string[]): void {
    const index = this.indices.get(name)!;
    for (const value of values) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unfile(key: string, object: T): void {
    for (const [name, fn] of this.indexers) this.unfileFrom(name, key, fn(object));
  }

  private unfileFrom(name: string, key: string, values: string[]): void {
    const index = this.indices.get(name)!;
    for (const value of values) {
      const keys = index.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(value);
    }
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
