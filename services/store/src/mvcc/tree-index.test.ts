import { describe, expect, it } from 'vitest';
import { TreeIndex } from './tree-index';

/** A tree holding the given keys, each with one put so that it exists. */
function treeOf(keys: string[]): TreeIndex {
  const tree = new TreeIndex();
  keys.forEach((key, i) => tree.getOrCreate(key).put({ main: i + 2, sub: 0 }));
  return tree;
}

function visited(tree: TreeIndex, key: string, end: string | null | undefined): string[] {
  const out: string[] = [];
  tree.visit(key, end, (index) => {
    out.push(index.key);
  });
  return out;
}

describe('TreeIndex', () => {
  it('getOrCreate returns the same index for a key, and delete forgets it', () => {
    const tree = new TreeIndex();
    const a = tree.getOrCreate('a');
    expect(tree.getOrCreate('a')).toBe(a);
    expect(tree.get('a')).toBe(a);
    expect(tree.size).toBe(1);
    tree.delete('a');
    expect(tree.get('a')).toBeUndefined();
    expect(tree.size).toBe(0);
  });

  // Keys are latin1 strings, one character per byte: "\xff" is byte 0xff and sorts after "z".
  const tree = treeOf(['b', 'a\x00', 'foo/2', 'a', 'foo', 'foo/1', 'fop', '\xff', 'z', 'foo/10']);

  it.each([
    { key: 'foo', end: undefined, expected: ['foo'], why: 'end undefined is the single key' },
    { key: 'nope', end: undefined, expected: [], why: 'a single key that is not there' },
    { key: 'a', end: 'b', expected: ['a', 'a\x00'], why: '[key, end) excludes end' },
    { key: 'a', end: 'b\x00', expected: ['a', 'a\x00', 'b'], why: 'end just past a key includes it' },
    { key: 'foo/', end: 'foo0', expected: ['foo/1', 'foo/10', 'foo/2'], why: 'a prefix range, in byte order' },
    { key: 'foo', end: 'fop', expected: ['foo', 'foo/1', 'foo/10', 'foo/2'], why: 'prefix "foo" includes the key itself' },
    { key: 'y', end: null, expected: ['z', '\xff'], why: 'end null is every key from key on, high bytes last' },
    { key: '\x00', end: null, expected: ['a', 'a\x00', 'b', 'foo', 'foo/1', 'foo/10', 'foo/2', 'fop', 'z', '\xff'], why: 'everything' },
    { key: 'c', end: 'c', expected: [], why: 'an empty range' },
    { key: 'z', end: 'a', expected: [], why: 'an end below the key' },
  ])('visit($key, $end): $why', ({ key, end, expected }) => {
    expect(visited(tree, key, end)).toEqual(expected);
  });

  it('stops when the visitor returns false', () => {
    const out: string[] = [];
    tree.visit('a', null, (index) => {
      out.push(index.key);
      return out.length < 3;
    });
    expect(out).toEqual(['a', 'a\x00', 'b']);
  });

  it('values() iterates every key in byte order', () => {
    expect([...treeOf(['c', '\xff', 'a', 'b']).values()].map((i) => i.key)).toEqual(['a', 'b', 'c', '\xff']);
  });
});
