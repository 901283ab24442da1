import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '@kubelab/component-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backend } from './backend';
import { KVStore } from './kv-store';
import type { Event } from './types';
import { WatchableStore } from './watchable-store';
import type { Watcher, WatcherMessage, WatchOptions } from './watcher';

let dir: string;
let backend: Backend;
let kv: KVStore;
let watchable: WatchableStore;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-watch-'));
  backend = await Backend.open(dir);
  kv = new KVStore(backend);
  await kv.restore();
  watchable = new WatchableStore(kv);
});

afterEach(async () => {
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function put(key: string, value: string): Promise<void> {
  const txn = kv.write();
  txn.put(Buffer.from(key), Buffer.from(value), '0');
  return txn.end();
}

function del(key: string, end?: string | null): Promise<void> {
  const txn = kv.write();
  txn.deleteRange({ key, end });
  return txn.end();
}

/**
 *   rev 2: put a = a1     rev 3: put b = b1     rev 4: put a = a2    rev 5: delete b
 *   rev 6: put c = c1     rev 7: put a = a3     rev 8: put d = d1    rev 9: delete d
 */
async function writeHistory(): Promise<void> {
  for (const step of [
    () => put('a', 'a1'),
    () => put('b', 'b1'),
    () => put('a', 'a2'),
    () => del('b'),
    () => put('c', 'c1'),
    () => put('a', 'a3'),
    () => put('d', 'd1'),
    () => del('d'),
  ]) {
    await step();
  }
  expect(kv.committedRev).toBe(9);
}

interface Watch {
  watcher: Watcher;
  messages: WatcherMessage[];
  /** Every event received so far, in order. */
  events(): Event[];
  /** The events as "PUT a=a1 @2" / "DELETE b @5". */
  seen(): string[];
}

function watch(options: Partial<WatchOptions> & { key: string }): Watch {
  const messages: WatcherMessage[] = [];
  const watcher = watchable.watch({ end: undefined, startRev: 0, prevKv: false, noPut: false, noDelete: false, ...options }, (m) =>
    messages.push(m),
  );
  const events = () => messages.flatMap((m) => ('events' in m ? m.events : []));
  return { watcher, messages, events, seen: () => events().map(describeEvent) };
}

function describeEvent(e: Event): string {
  const key = e.kv.key.toString();
  return e.type === 'PUT' ? `PUT ${key}=${e.kv.value.toString()} @${e.kv.mod_revision}` : `DELETE ${key} @${e.kv.mod_revision}`;
}

const everything = { key: '\x00', end: null };

async function caughtUp(w: Watch): Promise<void> {
  await waitFor(() => w.watcher.synced, { timeoutMs: 5_000, intervalMs: 5, what: 'the watcher to catch up' });
}

describe('live watch (start revision 0)', () => {
  it('gets the changes made after it was created, in its range only, each with its revision', async () => {
    await writeHistory();
    const w = watch({ key: 'a', end: 'c' });
    expect(w.watcher.synced).toBe(true);
    await put('a', 'x');
    await put('c', 'not watched');
    await put('b', 'y');
    await del('a');
    expect(w.seen()).toEqual(['PUT a=x @10', 'PUT b=y @12', 'DELETE a @13']);
    expect(w.messages.map((m) => ('rev' in m ? m.rev : m))).toEqual([10, 12, 13]);
  });

  it('one write touching several keys arrives as one message, in the order of the changes', async () => {
    await put('a', '1');
    await put('b', '2');
    const w = watch(everything);
    await del('a', 'z');
    expect(w.messages).toHaveLength(1);
    expect(w.seen()).toEqual(['DELETE a @4', 'DELETE b @4']);
  });

  it('does not see a write that was applied but not yet durable when it was created (it starts after it)', async () => {
    const pending = put('a', 'pending'); // revision 2, in the index, not yet on disk
    expect(kv.currentRev).toBe(2);
    expect(kv.committedRev).toBe(1);
    const fromNow = watch({ key: 'a' });
    const fromPending = watch({ key: 'a', startRev: 2 });
    await pending;
    await put('a', 'next');
    expect(fromNow.seen()).toEqual(['PUT a=next @3']);
    expect(fromPending.seen()).toEqual(['PUT a=pending @2', 'PUT a=next @3']);
  });

  it('a start revision in the future skips everything before it', async () => {
    await writeHistory();
    const w = watch({ key: 'a', startRev: 11 });
    expect(w.watcher.synced).toBe(true);
    await put('a', 'at 10');
    await put('a', 'at 11');
    await put('a', 'at 12');
    expect(w.seen()).toEqual(['PUT a=at 11 @11', 'PUT a=at 12 @12']);
  });

  it('gets nothing more once canceled', async () => {
    const w = watch({ key: 'a' });
    await put('a', '1');
    expect(watchable.watcherCount).toBe(1);
    watchable.cancel(w.watcher);
    expect(watchable.watcherCount).toBe(0);
    await put('a', '2');
    expect(w.seen()).toEqual(['PUT a=1 @2']);
  });
});

describe('watch from a past revision (catch-up, then live)', () => {
  it('gets every event since the start revision in order, then the live ones', async () => {
    await writeHistory();
    const w = watch({ ...everything, startRev: 3 });
    expect(w.watcher.synced).toBe(false);
    expect(watchable.unsynced.has(w.watcher)).toBe(true);
    await caughtUp(w);
    expect(w.seen()).toEqual(['PUT b=b1 @3', 'PUT a=a2 @4', 'DELETE b @5', 'PUT c=c1 @6', 'PUT a=a3 @7', 'PUT d=d1 @8', 'DELETE d @9']);
    expect(w.messages.map((m) => ('rev' in m ? m.rev : m))).toEqual([9]);
    await put('e', 'e1');
    expect(w.seen().slice(7)).toEqual(['PUT e=e1 @10']);
    expect(watchable.unsynced.size).toBe(0);
  });

  it('for one key, gets only that key', async () => {
    await writeHistory();
    const w = watch({ key: 'a', startRev: 1 });
    await caughtUp(w);
    expect(w.seen()).toEqual(['PUT a=a1 @2', 'PUT a=a2 @4', 'PUT a=a3 @7']);
  });

  it('replayed events carry the full key-value: creation revision and version; a delete carries only key and revision', async () => {
    await writeHistory();
    const w = watch({ key: 'a', end: 'c', startRev: 4 });
    await caughtUp(w);
    const [a2, deleteB] = w.events();
    expect(a2).toEqual({
      type: 'PUT',
      kv: { key: Buffer.from('a'), value: Buffer.from('a2'), create_revision: 2, mod_revision: 4, version: 2, lease: '0' },
    });
    expect(deleteB).toEqual({
      type: 'DELETE',
      kv: { key: Buffer.from('b'), value: Buffer.alloc(0), create_revision: 0, mod_revision: 5, version: 0, lease: '0' },
    });
  });

  it('sees exactly what a live watcher saw, prev_kv included', async () => {
    const live = watch({ ...everything, prevKv: true });
    await writeHistory();
    await put('a', 'a4');
    await del('a', 'z'); // deletes a and c in one revision
    const replay = watch({ ...everything, startRev: 2, prevKv: true });
    await caughtUp(replay);
    expect(replay.events()).toHaveLength(11);
    expect(replay.events()).toEqual(live.events());
  });

  it('misses nothing and repeats nothing while writes go on during the catch-up (over 1000 events, sent in chunks)', async () => {
    // 1100 writes in one turn: revisions 2..1101, one group commit.
    await Promise.all(Array.from({ length: 1100 }, (_, i) => put(`k${i % 7}`, String(i))));
    const w = watch({ key: 'k', end: 'l', startRev: 2 });
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => put(`k${i % 7}`, `r${round}-${i}`)));
    }
    const last = kv.currentRev;
    expect(last).toBe(1301);
    await waitFor(() => w.events().at(-1)?.kv.mod_revision === last, { timeoutMs: 10_000, intervalMs: 5, what: 'the last event' });
    const revisions = w.events().map((e) => e.kv.mod_revision);
    expect(revisions).toEqual(Array.from({ length: last - 1 }, (_, i) => i + 2));
    const first = w.messages[0]!;
    expect('events' in first && first.events.length).toBe(1000);
    expect(w.watcher.synced).toBe(true);
  });
});

describe('watch from a compacted revision', () => {
  it('below the compact revision: told the compact revision, and canceled', async () => {
    await writeHistory();
    await kv.compact(6);
    const w = watch({ ...everything, startRev: 3 });
    expect(w.messages).toEqual([{ compactRevision: 6 }]);
    expect(w.watcher.canceled).toBe(true);
    expect(watchable.watcherCount).toBe(0);
    await put('a', 'later');
    expect(w.messages).toEqual([{ compactRevision: 6 }]);
  });

  it('at the compact revision exactly: allowed, and gets what is still there from it on', async () => {
    await writeHistory();
    await kv.compact(6);
    const w = watch({ ...everything, startRev: 6 });
    await caughtUp(w);
    expect(w.seen()).toEqual(['PUT c=c1 @6', 'PUT a=a3 @7', 'PUT d=d1 @8', 'DELETE d @9']);
  });

  it('a catching-up watcher overtaken by a compaction gets what it read, then the compact revision', async () => {
    await writeHistory();
    const w = watch({ ...everything, startRev: 2 }); // starts replaying 2..9
    // Meanwhile: e is written at 10 and 11, and the store compacted at 11, so revision 10 is gone.
    const writes = [put('e', 'e1'), put('e', 'e2')];
    const compaction = kv.compact(11);
    await Promise.all([...writes, compaction]);
    await waitFor(() => w.watcher.canceled, { timeoutMs: 5_000, intervalMs: 5, what: 'the watcher to be canceled' });
    expect(w.seen()).toEqual([
      'PUT a=a1 @2',
      'PUT b=b1 @3',
      'PUT a=a2 @4',
      'DELETE b @5',
      'PUT c=c1 @6',
      'PUT a=a3 @7',
      'PUT d=d1 @8',
      'DELETE d @9',
    ]);
    expect(w.messages.at(-1)).toEqual({ compactRevision: 11 });
    expect(watchable.watcherCount).toBe(0);
    await put('e', 'e3');
    expect(w.seen()).toHaveLength(8);
  });
});

describe('prev_kv', () => {
  it('live: the value before each change, only when asked for', async () => {
    await writeHistory();
    const withPrev = watch({ key: 'a', prevKv: true });
    const without = watch({ key: 'a' });
    await put('a', 'x');
    await del('a');
    expect(withPrev.events().map((e) => [describeEvent(e), e.prev_kv?.value.toString(), e.prev_kv?.mod_revision])).toEqual([
      ['PUT a=x @10', 'a3', 7],
      ['DELETE a @11', 'x', 10],
    ]);
    expect(without.events().map((e) => 'prev_kv' in e)).toEqual([false, false]);
  });

  it('catch-up: the value before each replayed change; none for a creation', async () => {
    await writeHistory();
    const w = watch({ key: 'a', end: 'c', startRev: 2, prevKv: true });
    await caughtUp(w);
    expect(w.events().map((e) => [describeEvent(e), e.prev_kv?.value.toString()])).toEqual([
      ['PUT a=a1 @2', undefined],
      ['PUT b=b1 @3', undefined],
      ['PUT a=a2 @4', 'a1'],
      ['DELETE b @5', 'b1'],
      ['PUT a=a3 @7', 'a2'],
    ]);
    const withoutPrev = watch({ key: 'a', end: 'c', startRev: 2 });
    await caughtUp(withoutPrev);
    expect(withoutPrev.events().some((e) => 'prev_kv' in e)).toBe(false);
  });

  it('catch-up: no prev_kv when the previous revision was compacted (etcd cannot read it either)', async () => {
    await writeHistory();
    await kv.compact(4);
    const w = watch({ key: 'a', startRev: 4, prevKv: true });
    await caughtUp(w);
    expect(w.events().map((e) => [describeEvent(e), e.prev_kv?.value.toString()])).toEqual([
      ['PUT a=a2 @4', undefined],
      ['PUT a=a3 @7', 'a2'],
    ]);
  });
});

describe('filters', () => {
  it.each([
    { filter: { noPut: true }, expected: ['DELETE b @5', 'DELETE d @9', 'DELETE a @11'] },
    { filter: { noDelete: true }, expected: ['PUT b=b1 @3', 'PUT a=a2 @4', 'PUT c=c1 @6', 'PUT a=a3 @7', 'PUT d=d1 @8', 'PUT e=e1 @10'] },
    { filter: { noPut: true, noDelete: true }, expected: [] },
  ])('$filter drops those events, in the catch-up and live', async ({ filter, expected }) => {
    await writeHistory();
    const w = watch({ ...everything, startRev: 3, ...filter });
    await caughtUp(w);
    await put('e', 'e1');
    await del('a');
    expect(w.seen()).toEqual(expected);
    // A message is sent only when some event passed the filter.
    expect(w.messages.every((m) => 'events' in m && m.events.length > 0)).toBe(true);
  });
});

describe('progress', () => {
  it('a synced watcher has seen everything committed; a catching-up one, everything before its next revision', async () => {
    await writeHistory();
    const synced = watch({ key: 'a' });
    expect(watchable.progressOf(synced.watcher)).toBe(9);
    const catching = watch({ key: 'a', startRev: 3 });
    expect(watchable.progressOf(catching.watcher)).toBe(2);
    await caughtUp(catching);
    expect(watchable.progressOf(catching.watcher)).toBe(9);
  });
});
