import { Errors } from '../errors';
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

/**
 * etcd's checkTxnRequest: at most `maxTxnOps` compares, success ops and failure ops; no compare on
 * the empty key; every op checked, a nested txn against the ops its parent left (`maxTxnOps` less
 * the parent's longest list).
 */
export function checkTxnRequest(r: TxnRequest, maxTxnOps: number): void {
  const used = Math.max(r.compare.length, r.success.length, r.failure.length);
  if (used > maxTxnOps) throw Errors.tooManyOps();
  for (const c of r.compare) if (c.key.length === 0) throw Errors.emptyKey();
  for (const op of r.success) checkRequestOp(op, maxTxnOps - used);
  for (const op of r.failure) checkRequestOp(op, maxTxnOps - used);
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
      // An op with no request set: etcd answers "key not found".
      throw Errors.keyNotFound();
  }
}

/**
 * The keys a delete covers for the duplicate-key check, as etcd 3.4 builds the interval:
 * [key, range_end), or the one key when there is no range_end. A range_end "\0" is taken as it
 * stands, not as "to the end": [key, "\0") holds no key, so a from-key delete collides with no put.
 */
interface Interval {
  begin: string;
  /** Exclusive; undefined: the single key `begin`. */
  end: string | undefined;
}

function covers(interval: Interval, key: string): boolean {
  return interval.end === undefined ? key === interval.begin : interval.begin <= key && key < interval.end;
}

/**
 * Rejects a txn in which one branch writes a key twice (two puts of one key, or a put inside a
 * deleted range), following etcd's checkIntervals, level by level: this level's deletes first;
 * then each nested txn in order, its puts (both branches) against the puts and deletes seen so far,
 * the two branches of one nested txn being allowed the same key (only one runs), its deletes
 * joining the level's after it; last this level's own puts against all of that.
 */
export function checkIntervals(r: TxnRequest): void {
  collect(r.success);
  collect(r.failure);
}

function collect(ops: RequestOp[]): { puts: Set<string>; deletes: Interval[] } {
  const deletes: Interval[] = [];
  for (const op of ops) {
    if (op.request !== 'request_delete_range') continue;
    const { key, range_end } = op.request_delete_range;
    deletes.push({ begin: key.toString('latin1'), end: range_end.length > 0 ? range_end.toString('latin1') : undefined });
  }
  const deleted = (key: string) => deletes.some((interval) => covers(interval, key));
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.request !== 'request_txn') continue;
    const then = collect(op.request_txn.success);
    const otherwise = collect(op.request_txn.failure);
    for (const key of then.puts) {
      if (puts.has(key) || deleted(key)) throw Errors.duplicateKey();
      puts.add(key);
    }
    for (const key of otherwise.puts) {
      if ((puts.has(key) && !then.puts.has(key)) || deleted(key)) throw Errors.duplicateKey();
      puts.add(key);
    }
    deletes.push(...then.deletes, ...otherwise.deletes);
  }
  for (const op of ops) {
    if (op.request !== 'request_put') continue;
    const key = op.request_put.key.toString('latin1');
    if (puts.has(key) || deleted(key)) throw Errors.duplicateKey();
    puts.add(key);
  }
  return { puts, deletes };
}
