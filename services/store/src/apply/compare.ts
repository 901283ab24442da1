import type { KVStore } from '../mvcc/kv-store';
import type { KeyValue } from '../mvcc/types';
import type { Compare } from './requests';
import { toKeyRange } from './key-range';

const ABSENT: KeyValue = { key: Buffer.alloc(0), value: Buffer.alloc(0), create_revision: 0, mod_revision: 0, version: 0, lease: '0' };

/**
 * Evaluates one Txn compare against the current state (etcd's applyCompare): every key of the
 * compare's range must satisfy it. A missing key compares as version, create, mod and lease 0,
 * and a value compare on a missing key always fails.
 */
export function evaluateCompare(kv: KVStore, compare: Compare): boolean {
  const { entries } = kv.range(toKeyRange(compare.key, compare.range_end), 0, 0);
  // Reads at the current revision are served from the index's cached values.
  const values = entries as KeyValue[];
  if (values.length === 0) return targetOf(compare) === 'VALUE' ? false : satisfies(compare, ABSENT);
  return values.every((value) => satisfies(compare, value));
}

function targetOf(compare: Compare): string | number {
  return compare.target;
}

function satisfies(compare: Compare, kv: KeyValue): boolean {
  let order: number;
  switch (compare.target) {
    case 'VALUE':
      order = Buffer.compare(kv.value, compare.target_union === 'value' ? compare.value : Buffer.alloc(0));
      break;
    case 'VERSION':
      order = sign(kv.version - numberOf(compare, 'version'));
      break;
    case 'CREATE':
      order = sign(kv.create_revision - numberOf(compare, 'create_revision'));
      break;
    case 'MOD':
      order = sign(kv.mod_revision - numberOf(compare, 'mod_revision'));
      break;
    case 'LEASE': {
      const want = compare.target_union === 'lease' ? BigInt(compare.lease) : 0n;
      const have = BigInt(kv.lease);
      order = have === want ? 0 : have > want ? 1 : -1;
      break;
    }
    default:
      return false;
  }
  switch (compare.result) {
    case 'EQUAL':
      return order === 0;
    case 'NOT_EQUAL':
      return order !== 0;
    case 'GREATER':
      return order > 0;
    case 'LESS':
      return order < 0;
    default:
      return false;
  }
}

function numberOf(compare: Compare, field: 'version' | 'create_revision' | 'mod_revision'): number {
  return compare.target_union === field ? Number(compare[field]) : 0;
}

function sign(n: number): number {
  return n === 0 ? 0 : n > 0 ? 1 : -1;
}
