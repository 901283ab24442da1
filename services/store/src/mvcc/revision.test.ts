import { describe, expect, it } from 'vitest';
import {
  bytesToRevision,
  compareRevisions,
  isTombstone,
  MARKED_REVISION_BYTES,
  MAX_SUB,
  REVISION_BYTES,
  revisionToBytes,
  type Revision,
} from './revision';

const TWO_32 = 2 ** 32;

/** Revisions in increasing order, with the byte-boundary values where a wrong encoding would show. */
const ORDERED: Revision[] = [
  { main: 0, sub: 0 },
  { main: 0, sub: 1 },
  { main: 0, sub: 255 },
  { main: 0, sub: 256 },
  { main: 0, sub: MAX_SUB },
  { main: 1, sub: 0 },
  { main: 1, sub: 1 },
  { main: 2, sub: 0 },
  { main: 255, sub: 0 },
  { main: 255, sub: 65_536 },
  { main: 256, sub: 0 },
  { main: 257, sub: 3 },
  { main: 65_535, sub: 0 },
  { main: 65_536, sub: 0 },
  { main: TWO_32 - 1, sub: TWO_32 },
  { main: TWO_32, sub: 0 },
  { main: TWO_32 + 1, sub: 0 },
  { main: Number.MAX_SAFE_INTEGER - 1, sub: MAX_SUB },
  { main: Number.MAX_SAFE_INTEGER, sub: 0 },
  { main: Number.MAX_SAFE_INTEGER, sub: MAX_SUB },
];

const name = (r: Revision) => `{main ${r.main}, sub ${r.sub}}`;

describe('revision encoding', () => {
  it.each(ORDERED.map((rev) => [name(rev), rev] as const))('round-trips %s', (_, rev) => {
    const bytes = revisionToBytes(rev);
    expect(bytes).toHaveLength(REVISION_BYTES);
    expect(bytesToRevision(bytes)).toEqual(rev);
    expect(isTombstone(bytes)).toBe(false);
  });

  it.each(ORDERED.map((rev) => [name(rev), rev] as const))('round-trips %s marked as a tombstone', (_, rev) => {
    const bytes = revisionToBytes(rev, true);
    expect(bytes).toHaveLength(MARKED_REVISION_BYTES);
    expect(bytesToRevision(bytes)).toEqual(rev);
    expect(isTombstone(bytes)).toBe(true);
  });

  it('lays out 8 bytes big-endian main, an underscore, 8 bytes big-endian sub, then the tombstone mark', () => {
    expect(revisionToBytes({ main: 0x0102030405, sub: 0x0a0b }).toString('hex')).toBe('0000000102030405' + '5f' + '0000000000000a0b');
    expect(revisionToBytes({ main: 7, sub: 1 }, true).toString('hex')).toBe('0000000000000007' + '5f' + '0000000000000001' + '74');
  });

  it('refuses bytes of any length other than 17 or 18', () => {
    for (const length of [0, 8, 16, 19, 34]) {
      expect(() => bytesToRevision(Buffer.alloc(length)), `length ${length}`).toThrow(`mvcc: revision bytes have length ${length}`);
    }
  });

  it('reads an 18-byte key whose last byte is not the tombstone mark as a put', () => {
    const bytes = Buffer.concat([revisionToBytes({ main: 3, sub: 0 }), Buffer.from('x')]);
    expect(isTombstone(bytes)).toBe(false);
    expect(bytesToRevision(bytes)).toEqual({ main: 3, sub: 0 });
  });

  it('refuses negative revisions rather than writing them wrapped around', () => {
    expect(() => revisionToBytes({ main: -1, sub: 0 })).toThrow(RangeError);
    expect(() => revisionToBytes({ main: 1, sub: -1 })).toThrow(RangeError);
  });
});

describe('revision order', () => {
  it('compareRevisions orders by main, then by sub', () => {
    const cases: Array<[Revision, Revision, number]> = [
      [{ main: 1, sub: 0 }, { main: 1, sub: 0 }, 0],
      [{ main: 1, sub: 0 }, { main: 2, sub: 0 }, -1],
      [{ main: 2, sub: 0 }, { main: 1, sub: 9 }, 1],
      [{ main: 5, sub: 1 }, { main: 5, sub: 2 }, -1],
      [{ main: 5, sub: 3 }, { main: 5, sub: 2 }, 1],
    ];
    for (const [a, b, sign] of cases) expect(Math.sign(compareRevisions(a, b)), `${name(a)} vs ${name(b)}`).toBe(sign);
  });

  it('sorting encoded revisions byte-wise gives the same order as sorting them numerically', () => {
    const shuffled = [...ORDERED].reverse();
    shuffled.push(shuffled.shift()!, shuffled.shift()!);
    const byBytes = shuffled
      .map((rev) => revisionToBytes(rev))
      .sort(Buffer.compare)
      .map(bytesToRevision);
    expect(byBytes).toEqual(ORDERED);
  });

  it('byte order agrees with compareRevisions for every pair', () => {
    for (const a of ORDERED) {
      for (const b of ORDERED) {
        expect(Math.sign(Buffer.compare(revisionToBytes(a), revisionToBytes(b))), `${name(a)} vs ${name(b)}`).toBe(
          Math.sign(compareRevisions(a, b)),
        );
      }
    }
  });

  it('a tombstone sorts right after its own revision and before the next one', () => {
    const rev = { main: 9, sub: 2 };
    const marked = revisionToBytes(rev, true);
    expect(Buffer.compare(revisionToBytes(rev), marked)).toBe(-1);
    expect(Buffer.compare(marked, revisionToBytes({ main: 9, sub: 3 }))).toBe(-1);
    expect(Buffer.compare(marked, revisionToBytes({ main: 10, sub: 0 }))).toBe(-1);
  });

  it('{main, MAX_SUB} followed by 0xff bounds every change of that main revision, tombstones included', () => {
    const bound = Buffer.concat([revisionToBytes({ main: 9, sub: MAX_SUB }), Buffer.from([0xff])]);
    for (const sub of [0, 1, 1000, MAX_SUB]) {
      expect(Buffer.compare(revisionToBytes({ main: 9, sub }), bound)).toBe(-1);
      expect(Buffer.compare(revisionToBytes({ main: 9, sub }, true), bound)).toBe(-1);
    }
    expect(Buffer.compare(bound, revisionToBytes({ main: 10, sub: 0 }))).toBe(-1);
  });
});
