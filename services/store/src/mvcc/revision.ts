/**
 * A revision names one change: `main` is the store's global revision (one per write request),
 * `sub` orders the changes inside it (a Txn that puts three keys makes subs 0, 1, 2).
 *
 * In the backend a revision is the key of the value written at it: 8 bytes big-endian main, '_',
 * 8 bytes big-endian sub, so LevelDB's byte order is revision order. A tombstone (a delete) carries
 * one more byte, 't', so restoring the index can tell a delete from a put without decoding values.
 */
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

export const REVISION_BYTES = 17;
export const MARKED_REVISION_BYTES = 18;
const TOMBSTONE_MARK = 0x74; // 't'

export function revisionToBytes(rev: Revision, tombstone = false): Buffer {
  const bytes = Buffer.alloc(tombstone ? MARKED_REVISION_BYTES : REVISION_BYTES);
  bytes.writeBigUInt64BE(BigInt(rev.main), 0);
  bytes[8] = 0x5f; // '_'
  bytes.writeBigUInt64BE(BigInt(rev.sub), 9);
  if (tombstone) bytes[17] = TOMBSTONE_MARK;
  return bytes;
}

export function bytesToRevision(bytes: Buffer): Revision {
  if (bytes.length !== REVISION_BYTES && bytes.length !== MARKED_REVISION_BYTES) {
    throw new Error(`mvcc: revision bytes have length ${bytes.length}`);
  }
  return { main: Number(bytes.readBigUInt64BE(0)), sub: Number(bytes.readBigUInt64BE(9)) };
}

export function isTombstone(bytes: Buffer): boolean {
  return bytes.length === MARKED_REVISION_BYTES && bytes[17] === TOMBSTONE_MARK;
}

export function compareRevisions(a: Revision, b: Revision): number {
  return a.main !== b.main ? a.main - b.main : a.sub - b.sub;
}

/** The highest sub a revision can have: the upper bound when scanning all of one main revision. */
export const MAX_SUB = Number.MAX_SAFE_INTEGER;
