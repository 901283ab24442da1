import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Code } from '@kubelab/proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors';
import { Backend, Bucket } from './backend';
import { KVStore, metaPut } from './kv-store';
import { bytesToRevision, isTombstone } from './revision';

const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';
const FUTURE = 'etcdserver: mvcc: required revision is a future revision';

let dir: string;
let backend: Backend;
let kv: KVStore;

async function open(): Promise<void> {
  backend = await Backend.open(dir);
  kv = new KVStore(backend);
  await kv.restore();
}

async function reopen(): Promise<void> {
  await backend.close();
  await open();
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-kv-store-'));
  await open();
});

afterEach(async () => {
  if (backend && !backend.closed) await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function put(key: string, value: string, lease = '0'): Promise<void> {
  const txn = kv.write();
  txn.put(Buffer.from(key), Buffer.from(value), lease);
  return txn.end();
}

function del(key: string, end?: string | null): Promise<void> {
  const txn = kv.write();
  txn.deleteRange({ key, end });
  return txn.end();
}

/** The key's value at `rev` (0: now), read the way a Range does (index, then backend if needed). */
async function valueAt(key: string, rev = 0): Promise<string | undefined> {
  const [found] = await kv.materialize(kv.range({ key, end: undefined }, rev, 0).entries);
  return found?.value.toString();
}

/** Every revision in the backend's key bucket, as "main_sub", with "t" for tombstones. */
async function storedRevisions(): Promise<string[]> {
  const out: string[] = [];
  for await (const [key] of backend.iterate(Buffer.from([Bucket.key]), Buffer.from([Bucket.key, 0xff]))) {
    const rev = bytesToRevision(key.subarray(1));
    out.push(`${rev.main}_${rev.sub}${isTombstone(key.subarray(1)) ? 't' : ''}`);
  }
  return out;
}

async function meta(name: string): Promise<unknown> {
  const bytes = await backend.get(Backend.key(Bucket.meta, name));
  return bytes ? JSON.parse(bytes.toString()) : undefined;
}

function expectStoreError(fn: () => unknown, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  expect((caught as StoreError).message).toBe(message);
  expect((caught as StoreError).code).toBe(Code.OUT_OF_RANGE);
}

/**
 *   rev 2: put a = a1     rev 3: put b = b1     rev 4: put a = a2    rev 5: delete b
 *   rev 6: put c = c1     rev 7: put a = a3     rev 8: put d = d1    rev 9: delete d
 */
async function writeHistory(): Promise<void> {
  await put('a', 'a1');
  await put('b', 'b1');
  await put('a', 'a2');
  await del('b');
  await put('c', 'c1');
  await put('a', 'a3');
  await put('d', 'd1');
  await del('d');
  expect(kv.currentRev).toBe(9);
}

describe('KVStore: reads at past revisions', () => {
  it('answers every revision from the index and the backend', async () => {
    await writeHistory();
    const table: Array<[string, number, string | undefined]> = [
      ['a', 1, undefined],
      ['a', 2, 'a1'],
      ['a', 3, 'a1'],
      ['a', 4, 'a2'],
      ['a', 7, 'a3'],
      ['b', 4, 'b1'],
      ['b', 5, undefined],
      ['d', 8, 'd1'],
      ['d', 9, undefined],
      ['a', 0, 'a3'],
    ];
    for (const [key, rev, expected] of table) expect(await valueAt(key, rev), `${key}@${rev}`).toBe(expected);
  });

  it('a read at a past revision reports the current revision, as etcd\'s RangeResult.Rev', async () => {
    await writeHistory();
    const past = kv.range({ key: 'a', end: undefined }, 3, 0);
    expect(past.rev).toBe(9);
    expect(past.entries).toEqual([{ main: 2, sub: 0 }]);
    // Inside a write: the write's revision once it changed something, the current one before.
    const txn = kv.write();
    expect(txn.range({ key: 'a', end: undefined }, 3, 0, false).rev).toBe(9);
    txn.put(Buffer.from('e'), Buffer.from('e1'), '0');
    expect(txn.range({ key: 'a', end: undefined }, 3, 0, false).rev).toBe(10);
    await txn.end();
  });

  it('refuses a revision above the current one', async () => {
    await writeHistory();
    expectStoreError(() => kv.range({ key: 'a', end: undefined }, 10, 0), FUTURE);
  });

  it('versions and creation revisions follow the key across generations', async () => {
    await writeHistory();
    await put('b', 'b2');
    const [b] = await kv.materialize(kv.range({ key: 'b', end: undefined }, 0, 0).entries);
    expect(b).toMatchObject({ create_revision: 10, mod_revision: 10, version: 1 });
    const [a] = await kv.materialize(kv.range({ key: 'a', end: undefined }, 4, 0).entries);
    expect(a).toMatchObject({ create_revision: 2, mod_revision: 4, version: 2 });
  });
});

describe('KVStore: compaction', () => {
  it('after compacting at R, reads below R fail, reads at R and above still work', async () => {
    await writeHistory();
    await kv.compact(6);
    expect(kv.compactMainRev).toBe(6);
    for (const rev of [1, 2, 5]) expectStoreError(() => kv.range({ key: 'a', end: undefined }, rev, 0), COMPACTED);
    // At R: a's value then (a2, written at 4) comes from the backend, not the index's cache.
    expect(kv.range({ key: 'a', end: undefined }, 6, 0).entries).toEqual([{ main: 4, sub: 0 }]);
    expect(await valueAt('a', 6)).toBe('a2');
    expect(await valueAt('c', 6)).toBe('c1');
    expect(await valueAt('b', 6)).toBeUndefined();
    expect(await valueAt('a', 7)).toBe('a3');
    expect(await valueAt('d', 8)).toBe('d1');
    expect(await valueAt('d', 9)).toBeUndefined();
    expect(kv.range({ key: '\x00', end: null }, 6, 0).count).toBe(2);
  });

  it('keeps the latest value of every live key', async () => {
    await writeHistory();
    await kv.compact(9);
    expect(await valueAt('a')).toBe('a3');
    expect(await valueAt('c')).toBe('c1');
    const [a] = await kv.materialize(kv.range({ key: 'a', end: undefined }, 0, 0).entries);
    expect(a).toMatchObject({ create_revision: 2, mod_revision: 7, version: 3 });
  });

  it('drops from the backend exactly the revisions nobody can read any more', async () => {
    await writeHistory();
    expect(await storedRevisions()).toEqual(['2_0', '3_0', '4_0', '5_0t', '6_0', '7_0', '8_0', '9_0t']);
    await kv.compact(6);
    // a keeps 4 (its value at 6) and 7; b (deleted at 5) is gone entirely; c keeps 6; d's history is newer than 6.
    expect(await storedRevisions()).toEqual(['4_0', '6_0', '7_0', '8_0', '9_0t']);
    expect(await meta('scheduledCompactRev')).toBe(6);
    expect(await meta('finishedCompactRev')).toBe(6);
  });

  it('forgets deleted keys: gone from the index and from the backend', async () => {
    await writeHistory();
    await kv.compact(9);
    expect(kv.index.get('b')).toBeUndefined();
    expect(kv.index.get('d')).toBeUndefined();
    expect([...kv.index.values()].map((i) => i.key)).toEqual(['a', 'c']);
    expect(await storedRevisions()).toEqual(['6_0', '7_0']);
  });

  it('a second compaction drops what the first one had to keep', async () => {
    await writeHistory();
    await kv.compact(4);
    expect(await storedRevisions()).toEqual(['3_0', '4_0', '5_0t', '6_0', '7_0', '8_0', '9_0t']);
    await kv.compact(8);
    expect(await storedRevisions()).toEqual(['6_0', '7_0', '8_0', '9_0t']);
    expectStoreError(() => kv.range({ key: 'a', end: undefined }, 7, 0), COMPACTED);
    expect(await valueAt('d', 8)).toBe('d1');
  });

  it('compacting at 0 on a fresh store succeeds once, as in etcd (whose compacted revision starts at -1)', async () => {
    expect(kv.compactMainRev).toBe(-1);
    await kv.compact(0);
    expect(kv.compactMainRev).toBe(0);
    expectStoreError(() => kv.compact(0), COMPACTED);
    expect(await meta('finishedCompactRev')).toBe(0);
    await put('a', 'a1');
    expect(await valueAt('a')).toBe('a1');
    await reopen();
    expect(kv.compactMainRev).toBe(0);
    expectStoreError(() => kv.compact(0), COMPACTED);
  });

  it('refuses a revision already compacted, or one in the future', async () => {
    await writeHistory();
    await kv.compact(6);
    expectStoreError(() => kv.compact(6), COMPACTED);
    expectStoreError(() => kv.compact(3), COMPACTED);
    expectStoreError(() => kv.compact(10), FUTURE);
    expect(kv.compactMainRev).toBe(6);
  });

  it('writes made while the backend is compacting are kept', async () => {
    await writeHistory();
    const compaction = kv.compact(9);
    const writes = [put('a', 'a4'), put('e', 'e1'), del('c')];
    await Promise.all([compaction, ...writes]);
    expect(await valueAt('a')).toBe('a4');
    expect(await valueAt('e')).toBe('e1');
    expect(await valueAt('c')).toBeUndefined();
    expect(await valueAt('a', 9)).toBe('a3');
    expect(await storedRevisions()).toEqual(['6_0', '7_0', '10_0', '11_0', '12_0t']);
  });
});

describe('KVStore: restart after compaction', () => {
  it('restores the compact revision, the kept values, versions and the current revision', async () => {
    await writeHistory();
    await kv.compact(6);
    await reopen();
    expect(kv.compactMainRev).toBe(6);
    expect(kv.currentRev).toBe(9);
    expect(kv.committedRev).toBe(9);
    expectStoreError(() => kv.range({ key: 'a', end: undefined }, 5, 0), COMPACTED);
    expect(await valueAt('a', 6)).toBe('a2');
    expect(await valueAt('a')).toBe('a3');
    expect(await valueAt('b')).toBeUndefined();
    expect(await valueAt('d', 8)).toBe('d1');
    expect(await valueAt('d')).toBeUndefined();
    const [a] = await kv.materialize(kv.range({ key: 'a', end: undefined }, 0, 0).entries);
    expect(a).toMatchObject({ create_revision: 2, mod_revision: 7, version: 3 });
    // The next write continues from the old revision.
    await put('a', 'a4');
    expect(kv.currentRev).toBe(10);
    const [a4] = await kv.materialize(kv.range({ key: 'a', end: undefined }, 0, 0).entries);
    expect(a4).toMatchObject({ create_revision: 2, mod_revision: 10, version: 4 });
  });

  it('never goes back in revisions when compaction removed every stored change', async () => {
    await put('x', '1');
    await del('x');
    await kv.compact(3);
    expect(await storedRevisions()).toEqual([]);
    await reopen();
    expect(kv.currentRev).toBe(3);
    expect(kv.compactMainRev).toBe(3);
    expect(kv.index.size).toBe(0);
    await put('y', '1');
    expect(kv.currentRev).toBe(4);
  });

  it('finishes at start-up a compaction that was scheduled but not finished (a crash in between)', async () => {
    await writeHistory();
    // What a crash leaves: the schedule is on disk, the old revisions still are too.
    await backend.write([metaPut('scheduledCompactRev', 6)]);
    await reopen();
    expect(kv.compactMainRev).toBe(6);
    expect(await meta('finishedCompactRev')).toBe(6);
    expect(await storedRevisions()).toEqual(['4_0', '6_0', '7_0', '8_0', '9_0t']);
    expect(await valueAt('a', 6)).toBe('a2');
  });

  it('starts after a crash in a compaction whose chunks already removed every revision up to it', async () => {
    await writeHistory();
    // Compaction at 9 (d's tombstone, the newest revision) scheduled; a first chunk removed it all
    // (revisions 2..9 but the kept 6 and 7), then the crash: no finishedCompactRev.
    await backend.write([metaPut('scheduledCompactRev', 9)]);
    const doomed: Buffer[] = [];
    for await (const [key] of backend.iterate(Buffer.from([Bucket.key]), Buffer.from([Bucket.key, 0xff]))) {
      const rev = bytesToRevision(key.subarray(1));
      if (rev.main !== 6 && rev.main !== 7) doomed.push(key);
    }
    await backend.write(doomed.map((key) => ({ type: 'del' as const, key })));
    expect(await storedRevisions()).toEqual(['6_0', '7_0']);
    await reopen();
    expect(kv.currentRev).toBe(9);
    expect(kv.compactMainRev).toBe(9);
    expect(await meta('finishedCompactRev')).toBe(9);
    expect(await valueAt('a')).toBe('a3');
    expect(await valueAt('d')).toBeUndefined();
    // Revisions already handed out are never handed out again.
    await put('e', 'e1');
    expect(kv.currentRev).toBe(10);
  });
});
