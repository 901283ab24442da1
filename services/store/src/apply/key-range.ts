import type { KeyRange } from '../mvcc/kv-store';

/**
 * A request's key and range_end as the store reads them (etcd's mkGteRange): no range_end is the
 * single key, range_end "\0" is every key from `key` on, otherwise [key, range_end).
 */
export function toKeyRange(key: Buffer, rangeEnd: Buffer): KeyRange {
  const k = key.toString('latin1');
  if (rangeEnd.length === 0) return { key: k, end: undefined };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { key: k, end: null };
  return { key: k, end: rangeEnd.toString('latin1') };
}
