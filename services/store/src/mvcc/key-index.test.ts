import { describe, expect, it } from 'vitest';
import { KeyIndex, revisionKey } from './key-index';
import type { Revision } from './revision';
import type { KeyValue } from './types';

/**
 * A key's history in a compact notation: `p5` a put at main revision 5, `d7` a delete (tombstone)
 * at 7, all with sub 0. `p5.2` is a put at {main 5, sub 2}.
 */
function history(...changes: string[]): KeyIndex {
  const index = new KeyIndex('k');
  for (const change of changes) {
    const [main, sub = '0'] = change.slice(1).split('.');
    const rev = { main: Number(main), sub: Number(sub) };
    if (change[0] === 'p') index.put(rev);
    else index.tombstone(rev);
  }
  return index;
}

/** The generations as lists of main revisions, e.g. [[2, 3], []]. */
function shape(index: KeyIndex): number[][] {
  return index.generations.map((g) => g.revs.map((r) => r.main));
}

const rev = (main: number, sub = 0): Revision => ({ main, sub });

describe('KeyIndex: generations', () => {
  it('starts empty: no generation content, not live, no revision', () => {
    const index = new KeyIndex('k');
    expect(index.isEmpty).toBe(true);
    expect(index.isLive).toBe(false);
    expect(index.modified).toBeUndefined();
    expect(index.get(100)).toBeUndefined();
    expect(shape(index)).toEqual([[]]);
  });

  it('puts extend the current generation, counting versions from the creation', () => {
    const index = history('p2', 'p4', 'p6');
    expect(shape(index)).toEqual([[2, 4, 6]]);
    expect(index.generations[0]).toMatchObject({ created: rev(2), version: 3 });
    expect(index.isLive).toBe(true);
    expect(index.modified).toEqual(rev(6));
  });

  it('a delete ends the generation with its tombstone and opens an empty one', () => {
    const index = history('p2', 'p3', 'd5');
    expect(shape(index)).toEqual([[2, 3, 5], []]);
    expect(index.generations[0]!.version).toBe(3); // the tombstone counts
    expect(index.isLive).toBe(false);
    expect(index.isEmpty).toBe(false);
    expect(index.modified).toEqual(rev(5));
  });

  it('a put after a delete starts a new generation with version 1', () => {
    const index = history('p2', 'd3', 'p7', 'p8');
    expect(shape(index)).toEqual([[2, 3], [7, 8]]);
    expect(index.generations[1]).toMatchObject({ created: rev(7), version: 2 });
    expect(index.isLive).toBe(true);
  });

  it('refuses to delete a key that does not exist', () => {
    expect(() => history('d2')).toThrow('mvcc: tombstone of a key that does not exist: k');
    expect(() => history('p2', 'd3', 'd4')).toThrow('tombstone of a key that does not exist');
  });

  it('restore() keeps the stored creation revision and version (a generation whose start was compacted away)', () => {
    const index = new KeyIndex('k');
    const kv: KeyValue = { key: Buffer.from('k'), value: Buffer.from('v'), create_revision: 3, mod_revision: 9, version: 4, lease: '0' };
    index.restore(rev(9), kv);
    expect(index.generations[0]).toMatchObject({ created: rev(3), version: 4, revs: [rev(9)] });
    expect(index.latest).toBe(kv);
    expect(index.get(9)).toEqual({ modified: rev(9), created: rev(3), version: 4 });
  });
});

describe('KeyIndex: reading at a past revision', () => {
  // put@2, put@4, delete@6, put@8, put@9.2 (a txn's third change)
  const index = history('p2', 'p4', 'd6', 'p8', 'p9.2');

  it.each([
    { at: 1, expected: undefined, why: 'before the key existed' },
    { at: 2, expected: { modified: rev(2), created: rev(2), version: 1 }, why: 'at its creation' },
    { at: 3, expected: { modified: rev(2), created: rev(2), version: 1 }, why: 'between two puts' },
    { at: 4, expected: { modified: rev(4), created: rev(2), version: 2 }, why: 'at the second put' },
    { at: 5, expected: { modified: rev(4), created: rev(2), version: 2 }, why: 'just before the delete' },
    { at: 6, expected: undefined, why: 'at the delete' },
    { at: 7, expected: undefined, why: 'between the delete and the re-creation' },
    { at: 8, expected: { modified: rev(8), created: rev(8), version: 1 }, why: 'at the re-creation' },
    { at: 9, expected: { modified: rev(9, 2), created: rev(8), version: 2 }, why: 'at a change with a sub revision' },
    { at: 1000, expected: { modified: rev(9, 2), created: rev(8), version: 2 }, why: 'long after the last change' },
  ])('get($at): $why', ({ at, expected }) => {
    expect(index.get(at)).toEqual(expected);
  });

  it('since() lists every change at or after a revision, oldest first, tombstones included', () => {
    expect(index.since(4)).toEqual([rev(4), rev(6), rev(8), rev(9, 2)]);
    expect(index.since(7)).toEqual([rev(8), rev(9, 2)]);
    expect(index.since(10)).toEqual([]);
  });
});

describe('KeyIndex: compaction', () => {
  it.each([
    { changes: ['p2', 'p4', 'p6'], at: 5, keep: ['4_0'], after: [[4, 6]], why: 'keeps the newest put at or below the compact revision' },
    { changes: ['p2', 'p4'], at: 4, keep: ['4_0'], after: [[4]], why: 'a put exactly at the compact revision is kept' },
    { changes: ['p2', 'p4'], at: 100, keep: ['4_0'], after: [[4]], why: 'the current value is kept however far the compaction goes' },
    { changes: ['p5', 'p6'], at: 3, keep: [], after: [[5, 6]], why: 'nothing to keep when every change is newer' },
    { changes: ['p2', 'd3'], at: 2, keep: ['2_0'], after: [[2, 3], []], why: 'a deleted key is still readable below its tombstone' },
    { changes: ['p2', 'd3'], at: 3, keep: [], after: [[]], why: 'a generation that ended at the compact revision is dropped' },
    { changes: ['p2', 'd3'], at: 10, keep: [], after: [[]], why: 'a generation that ended before the compact revision is dropped' },
    { changes: ['p2', 'p3', 'd4'], at: 3, keep: ['3_0'], after: [[3, 4], []], why: 'the tombstone after the compact revision stays' },
    { changes: ['p2', 'd4', 'p6'], at: 5, keep: [], after: [[6]], why: 'nothing kept from a dead generation, the new one untouched' },
    { changes: ['p2', 'd4', 'p6', 'p8'], at: 7, keep: ['6_0'], after: [[6, 8]], why: 'older generations go, the live one is cut' },
    { changes: ['p2', 'd3', 'p4', 'd5', 'p6'], at: 6, keep: ['6_0'], after: [[6]], why: 'several dead generations go at once' },
    { changes: ['p2.0', 'p3.4'], at: 3, keep: ['3_4'], after: [[3]], why: 'the kept revision carries its sub' },
  ])('$why ($changes compacted at $at)', ({ changes, at, keep, after }) => {
    const index = history(...changes);
    const kept = new Set<string>();
    index.compact(at, kept);
    expect([...kept].sort()).toEqual(keep);
    expect(shape(index)).toEqual(after);
  });

  it('an index left with only an empty generation reports itself empty (so the tree can drop it)', () => {
    const index = history('p2', 'd3');
    index.compact(3, new Set());
    expect(index.isEmpty).toBe(true);
  });

  it('does not touch what was kept by other keys', () => {
    const kept = new Set(['99_0']);
    history('p2', 'p4').compact(3, kept);
    expect([...kept].sort()).toEqual(['2_0', '99_0']);
  });

  it('compacting again drops what the first compaction kept', () => {
    const index = history('p2', 'p4', 'p6', 'p8');
    const first = new Set<string>();
    index.compact(5, first);
    expect([...first]).toEqual(['4_0']);
    const second = new Set<string>();
    index.compact(7, second);
    expect([...second]).toEqual(['6_0']);
    expect(shape(index)).toEqual([[6, 8]]);
  });

  it('reads at or above the compact revision answer exactly as before, versions included', () => {
    const index = history('p2', 'p3', 'p4', 'd5', 'p6', 'p7');
    const before = [4, 5, 6, 7, 8].map((r) => index.get(r));
    index.compact(4, new Set());
    expect([4, 5, 6, 7, 8].map((r) => index.get(r))).toEqual(before);
    expect(index.get(4)).toEqual({ modified: rev(4), created: rev(2), version: 3 });
  });

  it('on random histories keeps exactly the revision visible at the compact revision, and changes no read at or above it', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 300; trial++) {
      const index = new KeyIndex('k');
      let main = 1;
      const steps = 1 + random(12);
      for (let i = 0; i < steps; i++) {
        main += 1 + random(3);
        if (index.isLive && random(3) === 0) index.tombstone(rev(main));
        else index.put(rev(main));
      }
      const at = 1 + random(main + 2);
      const visible = index.get(at);
      const reads = Array.from({ length: main + 3 - at }, (_, i) => index.get(at + i));
      const kept = new Set<string>();
      index.compact(at, kept);
      const context = `trial ${trial}: compact at ${at}, history ${JSON.stringify(shape(index))}`;
      expect([...kept], context).toEqual(visible ? [revisionKey(visible.modified)] : []);
      expect(Array.from({ length: main + 3 - at }, (_, i) => index.get(at + i)), context).toEqual(reads);
      // Nothing older than the kept revision survives in the index.
      const oldest = index.generations[0]!.revs[0];
      if (oldest && oldest.main < at) expect(revisionKey(oldest), context).toBe(revisionKey(visible!.modified));
    }
  });
});
