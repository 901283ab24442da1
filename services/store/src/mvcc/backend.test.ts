import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backend, Bucket } from './backend';

let dir: string;
let backend: Backend;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-backend-'));
  backend = await Backend.open(dir);
});

afterEach(async () => {
  if (!backend.closed) await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const key = (name: string) => Backend.key(Bucket.meta, name);
const put = (name: string, value: string) => ({ type: 'put' as const, key: key(name), value: Buffer.from(value) });
const del = (name: string) => ({ type: 'del' as const, key: key(name) });

async function durableEntries(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of backend.iterate(Buffer.from([Bucket.meta]), Buffer.from([Bucket.meta, 0xff]))) {
    out.push([k.subarray(1).toString(), v.toString()]);
  }
  return out;
}

/** Lets the callbacks already queued with setImmediate run (the backend starts a commit in one). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Backend', () => {
  it('keeps its LevelDB database under <data-dir>/member/db', () => {
    expect(backend.location).toBe(path.join(dir, 'member', 'db'));
    expect(fs.existsSync(backend.location)).toBe(true);
  });

  it('prefixes every key with its bucket byte', () => {
    expect([...Backend.key(Bucket.key, Buffer.from([1, 2]))]).toEqual([0x6b, 1, 2]);
    expect(Backend.key(Bucket.meta, 'x').toString('latin1')).toBe('mx');
    expect(Backend.key(Bucket.lease, '')).toHaveLength(1);
  });

  it('answers reads of a queued write before it is on disk, and iterates only what is on disk', async () => {
    const durable = backend.write([put('a', '1')]);
    expect(backend.idle).toBe(false);
    expect((await backend.get(key('a')))?.toString()).toBe('1');
    expect(await durableEntries()).toEqual([]);
    await durable;
    expect(await durableEntries()).toEqual([['a', '1']]);
    expect(backend.idle).toBe(true);
  });

  it('a queued delete hides the key at once; the disk loses it when the batch commits', async () => {
    await backend.write([put('a', '1'), put('b', '2')]);
    const durable = backend.write([del('a')]);
    expect(await backend.get(key('a'))).toBeUndefined();
    expect((await backend.get(key('b')))?.toString()).toBe('2');
    await durable;
    expect(await durableEntries()).toEqual([['b', '2']]);
  });

  it('the newest queued write of a key wins, on reads and on disk', async () => {
    backend.write([put('a', '1')]);
    backend.write([put('a', '2')]);
    expect((await backend.get(key('a')))?.toString()).toBe('2');
    await backend.flushed();
    expect(await durableEntries()).toEqual([['a', '2']]);
  });

  it('writes made in the same turn of the event loop share one commit (group commit)', async () => {
    await Promise.all([backend.write([put('a', '1')]), backend.write([put('b', '2'), put('c', '3')]), backend.write([put('d', '4')])]);
    expect(backend.stats.commits).toBe(1);
    expect(backend.stats.operations).toBe(4);
  });

  it('writes from separate callbacks in one turn of the event loop share one commit', async () => {
    // Two callbacks of one check phase, like two requests handled in one poll phase: the backend's
    // own setImmediate, queued by the first write, runs only in the next turn.
    const writes: Array<Promise<void>> = [];
    await new Promise<void>((resolve) => {
      setImmediate(() => writes.push(backend.write([put('a', '1')])));
      setImmediate(() => {
        writes.push(backend.write([put('b', '2')]));
        resolve();
      });
    });
    await Promise.all(writes);
    expect(backend.stats.commits).toBe(1);
    expect(backend.stats.operations).toBe(2);
  });

  it('a write made while a batch is syncing goes into the next batch, which commits after it', async () => {
    const order: string[] = [];
    const first = backend.write([put('a', '1')]).then(() => order.push('first'));
    await nextTurn(); // the first batch is now syncing
    expect(backend.idle).toBe(false);
    const second = backend.write([put('a', '2')]).then(() => order.push('second'));
    expect((await backend.get(key('a')))?.toString()).toBe('2');
    const flushed = backend.flushed().then(() => order.push('flushed'));
    await Promise.all([first, second, flushed]);
    expect(order).toEqual(['first', 'second', 'flushed']);
    expect(backend.stats.commits).toBe(2);
    expect(await durableEntries()).toEqual([['a', '2']]);
  });

  it('tells onCommitted after each commit', async () => {
    await backend.close();
    const told: Array<Error | undefined> = [];
    backend = await Backend.open(dir, (error) => told.push(error));
    await backend.write([put('a', '1')]);
    await backend.write([put('b', '1')]);
    expect(told).toEqual([undefined, undefined]);
  });

  it('flushed() resolves at once when nothing is queued', async () => {
    expect(backend.idle).toBe(true);
    await expect(backend.flushed()).resolves.toBeUndefined();
  });

  it('iterates in key order within the bounds given', async () => {
    await backend.write([put('c', '3'), put('a', '1'), put('b', '2'), { type: 'put', key: Backend.key(Bucket.key, 'z'), value: Buffer.from('other bucket') }]);
    expect(await durableEntries()).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    const bounded: string[] = [];
    for await (const [k] of backend.iterate(key('b'), key('c'))) bounded.push(k.subarray(1).toString());
    expect(bounded).toEqual(['b', 'c']);
  });

  it('what was written survives closing and reopening; close waits for queued writes', async () => {
    backend.write([put('a', '1')]);
    await backend.close();
    expect(backend.closed).toBe(true);
    backend = await Backend.open(dir);
    expect((await backend.get(key('a')))?.toString()).toBe('1');
    expect(await backend.get(key('missing'))).toBeUndefined();
    expect(backend.sizeOnDisk()).toBeGreaterThan(0);
  });

  it('defragment keeps every entry', async () => {
    await backend.write([put('a', '1'), put('b', '2')]);
    await backend.write([del('a')]);
    await backend.defragment();
    expect(await durableEntries()).toEqual([['b', '2']]);
  });
});
