import { Errors } from '../errors';
import type { KeyRange } from '../mvcc/kv-store';
import { overlaps, toKeyRange } from './key-range';
import type { DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './requests';

/** The request checks etcd makes before a request reaches the store (v3rpc/key.go). */

const SORT_ORDERS = new Set(['NONE', 'ASCEND', 'DESCEND']);
const SORT_TARGETS = new Set(['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']);

export function checkRangeRequest(r: RangeRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey();
  if (!SORT_ORDERS.has(String(r.sort_order)) || !SORT_TARGETS.has(String(r.sort_target))) throw Errors.invalidSortOption();
}

export function checkPutRequest(r: PutRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey();
  if (r.ignore_value && r.value.length !== 0) throw Errors.valueProvided();
  if (r.ignore_lease && r.lease !== '0') throw Errors.leaseProvided();
}

export function checkDeleteRequest(r: DeleteRangeRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey();
}

export function checkTxnRequest(r: TxnRequest, maxTxnOps: number): void {
  if (r.compare.length > maxTxnOps || r.success.length > maxTxnOps || r.failure.length > maxTxnOps) throw Errors.tooManyOps();
  for (const op of [...r.success, ...r.failure]) checkRequestOp(op, maxTxnOps);
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  switch (op.request) {
    case 'request_range':
      return checkRangeRequest(op.request_range);
    case 'request_put':
      return checkPutRequest(op.request_put);
    case 'request_delete_range':
      return checkDeleteRequest(op.request_delete_range);
    case 'request_txn':
      return checkTxnRequest(op.request_txn, maxTxnOps);
    default:
      // etcd ignores an empty RequestOp too.
      return;
  }
}

interface Intervals {
  puts: KeyRange[];
  deletes: KeyRange[];
}

/**
 * Rejects a txn in which one branch writes a key twice (two puts of one key, or a put inside a
 * deleted range), etcd's checkIntervals. Nested txns are checked on their own; their writes then
 * count against the enclosing branch, with the success and failure branches of a nested txn
 * allowed to touch the same keys (only one of them runs).
 */
export function checkIntervals(r: TxnRequest): void {
  collect(r.success);
  collect(r.failure);
}

function collect(ops: RequestOp[]): Intervals {
  const mine: Intervals = { puts: [], deletes: [] };
  const nested: Intervals = { puts: [], deletes: [] };
  for (const op of ops) {
    if (op.request === 'request_txn') {
      const success = collect(op.request_txn.success);
      const failure = collect(op.request_txn.failure);
      nested.puts.push(...success.puts, ...failure.puts);
      nested.deletes.push(...success.deletes, ...failure.deletes);
    } else if (op.request === 'request_delete_range') {
      mine.deletes.push(toKeyRange(op.request_delete_range.key, op.request_delete_range.range_end));
    }
  }
  for (const op of ops) {
    if (op.request !== 'request_put') continue;
    const put = toKeyRange(op.request_put.key, Buffer.alloc(0));
    if (mine.puts.some((other) => other.key === put.key)) throw Errors.duplicateKey();
    if (mine.deletes.some((range) => overlaps(range, put))) throw Errors.duplicateKey();
    mine.puts.push(put);
  }
  for (const put of nested.puts) {
    if (mine.puts.some((other) => other.key === put.key)) throw Errors.duplicateKey();
    if (mine.deletes.some((range) => overlaps(range, put))) throw Errors.duplicateKey();
  }
  for (const range of nested.deletes) {
    if (mine.puts.some((put) => overlaps(range, put))) throw Errors.duplicateKey();
  }
  return { puts: [...mine.puts, ...nested.puts], deletes: [...mine.deletes, ...nested.deletes] };
}
