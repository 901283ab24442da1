import { describe, expect, it } from 'vitest';
import { Heap } from './heap';

interface Item {
  name: string;
  rank: number;
}

const heapOf = () => new Heap<Item>((item) => item.name, (a, b) => a.rank < b.rank || (a.rank === b.rank && a.name < b.name));

/** Pops everything: the names in the order the heap gives them. */
const drain = (heap: Heap<Item>) => {
  const names: string[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) names.push(item.name);
  return names;
};

describe('Heap', () => {
  it.each([
    { name: 'adds come out smallest first', ops: [['add', 'c', 3], ['add', 'a', 1], ['add', 'b', 2]], want: ['a', 'b', 'c'] },
    { name: 'an update moves the item to its new place', ops: [['add', 'a', 1], ['add', 'b', 2], ['add', 'c', 3], ['add', 'a', 9]], want: ['b', 'c', 'a'] },
    { name: 'a delete takes the item out wherever it is', ops: [['add', 'a', 1], ['add', 'b', 2], ['add', 'c', 3], ['add', 'd', 4], ['delete', 'b'], ['delete', 'x']], want: ['a', 'c', 'd'] },
    { name: 'deleting the last item', ops: [['add', 'a', 1], ['add', 'b', 2], ['delete', 'b']], want: ['a'] },
  ] as Array<{ name: string; ops: Array<['add', string, number] | ['delete', string]>; want: string[] }>)('$name', ({ ops, want }) => {
    const heap = heapOf();
    for (const op of ops) {
      if (op[0] === 'add') heap.addOrUpdate({ name: op[1], rank: op[2] });
      else heap.delete(op[1]);
    }
    expect(drain(heap)).toEqual(want);
  });

  it('keeps every item findable by its key through many moves', () => {
    const heap = heapOf();
    const ranks = new Map<string, number>();
    // A fixed pseudo-random walk of adds, updates and deletes.
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let step = 0; step < 2000; step++) {
      const name = `p${next() % 200}`;
      if (next() % 4 === 0) {
        heap.delete(name);
        ranks.delete(name);
      } else {
        const rank = next() % 50;
        heap.addOrUpdate({ name, rank });
        ranks.set(name, rank);
      }
    }
    expect([...ranks].every(([name, rank]) => heap.get(name)?.rank === rank)).toBe(true);
    const want = [...ranks].sort(([a, ra], [b, rb]) => ra - rb || (a < b ? -1 : 1)).map(([name]) => name);
    expect({ length: heap.length, order: drain(heap) }).toEqual({ length: want.length, order: want });
  });
});
