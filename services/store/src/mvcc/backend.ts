import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClassicLevel } from 'classic-level';

/**
 * The only module that touches LevelDB. Everything kubelab stores lives in one LevelDB database
 * under `<data-dir>/member/db`, in buckets told apart by a one-byte prefix (see `Bucket`).
 *
 * Writes use group commit: `write()` queues operations in the open batch and returns a promise
 * that resolves once that batch is on disk (`sync: true`, i.e. fsync). While one batch is being
 * synced, new writes gather in the next one, so under load many writes share one sync.
 * Reads of keys still in a queued or syncing batch are answered from that batch.
 */
export const Bucket = Object.freeze({
  /** revision bytes -> encoded KeyValue (etcd's "key" bucket) */
  key: 0x6b,
  /** lease ID (8 bytes) -> JSON { ttl } (etcd's "lease" bucket) */
  lease: 0x6c,
  /** name -> JSON value (etcd's "meta" bucket: compaction progress, member identity) */
  meta: 0x6d,
});

export type Operation = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

interface Batch {
  operations: Operation[];
  /** key (latin1) -> value, or null for a delete: what readers see before the batch is on disk */
  overlay: Map<string, Buffer | null>;
  done: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

export interface BackendStats {
  commits: number;
  operations: number;
  lastCommitMs: number;
}

export class Backend {
  /** The batch gathering writes; synced after `syncing` finishes. */
  private open: Batch | undefined;
  /** The batch being written to disk now, at most one at a time (this ordering is the commit order). */
  private syncing: Batch | undefined;
  private scheduled = false;
  readonly stats: BackendStats = { commits: 0, operations: 0, lastCommitMs: 0 };

  private constructor(
    private readonly db: ClassicLevel<Buffer, Buffer>,
    readonly location: string,
    private readonly onCommitted: (error?: Error) => void,
  ) {}

  static async open(dataDir: string, onCommitted: (error?: Error) => void = () => {}): Promise<Backend> {
    const location = path.join(dataDir, 'member', 'db');
    fs.mkdirSync(location, { recursive: true });
    const db = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    return new Backend(db, location, onCommitted);
  }

  static key(bucket: number, name: Buffer | string): Buffer {
    const body = typeof name === 'string' ? Buffer.from(name) : name;
    const out = Buffer.allocUnsafe(body.length + 1);
    out[0] = bucket;
    body.copy(out, 1);
    return out;
  }

  /** Queues operations; the promise resolves when they are durable. */
  write(operations: Operation[]): Promise<void> {
    const batch = (this.open ??= newBatch());
    for (const op of operations) {
      batch.operations.push(op);
      batch.overlay.set(op.key.toString('latin1'), op.type === 'put' ? op.value : null);
    }
    this.schedule();
    return batch.done;
  }

  /** Resolves once everything written so far is durable. */
  flushed(): Promise<void> {
    return (this.open ?? this.syncing)?.done ?? Promise.resolve();
  }

  get idle(): boolean {
    return !this.open && !this.syncing;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = key.toString('latin1');
    for (const batch of [this.open, this.syncing]) {
      if (batch?.overlay.has(k)) return batch.overlay.get(k) ?? undefined;
    }
    return this.db.get(key);
  }

  /** Iterates the durable entries of [gte, lte] in key order (queued batches are not included). */
  async *iterate(gte: Buffer, lte: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    for await (const entry of this.db.iterator({ gte, lte })) yield entry;
  }

  /** Bytes the database takes on disk. */
  sizeOnDisk(): number {
    let total = 0;
    for (const name of fs.readdirSync(this.location)) {
      try {
        total += fs.statSync(path.join(this.location, name)).size;
      } catch {
        // a file compacted away while we looked
      }
    }
    return total;
  }

  /** Rewrites the whole key range (LevelDB's compactRange): the closest thing to etcd's defrag. */
  async defragment(): Promise<void> {
    await this.flushed();
    await this.db.compactRange(Buffer.from([0x00]), Buffer.from([0xff]));
  }

  get closed(): boolean {
    return this.db.status !== 'open';
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.db.close();
  }

  private schedule(): void {
    if (this.scheduled || this.syncing) return;
    this.scheduled = true;
    // Let every request that arrived in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  private commit(): void {
    const batch = this.open;
    if (!batch || this.syncing) return;
    this.open = undefined;
    this.syncing = batch;
    const started = performance.now();
    // A chained batch hands each operation to LevelDB at once: less than half the CPU of an array batch.
    const chained = this.db.batch();
    for (const op of batch.operations) {
      if (op.type === 'put') chained.put(op.key, op.value);
      else chained.del(op.key);
    }
    chained.write({ sync: true }).then(
      () => {
        this.stats.commits++;
        this.stats.operations += batch.operations.length;
        this.stats.lastCommitMs = performance.now() - started;
        this.syncing = undefined;
        batch.resolve();
        this.onCommitted();
        if (this.open) this.schedule();
      },
      (error: Error) => {
        this.syncing = undefined;
        batch.reject(error);
        this.onCommitted(error);
        // Writes queued behind the failed batch still get their own attempt (and their own answer).
        if (this.open) this.schedule();
      },
    );
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits must not crash the process with an unhandled rejection; onCommitted reports it.
  done.catch(() => {});
  return { operations: [], overlay: new Map(), done, resolve, reject };
}
