import { Errors } from '../errors';
import type { Lessor } from '../lease/lessor';
import type { KVStore, RangeEntry, WriteTxn } from '../mvcc/kv-store';
import { NO_LEASE, type KeyValue } from '../mvcc/types';
import { checkDeleteRequest, checkIntervals, checkPutRequest, checkRangeRequest, checkTxnRequest } from './checks';
import { evaluateCompare } from './compare';
import { toKeyRange } from './key-range';
import type {
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from './requests';

/** A write's answer: ready now, to be sent once `durable` resolves. */
export interface Applied<T> {
  response: T;
  durable: Promise<void>;
}

/**
 * Called with a request that passed etcd's request checks and is about to be applied as a write:
 * where etcd hands it to raft, which refuses one over --max-request-bytes. A read-only txn never
 * gets here.
 */
export type Admit = () => void;

/**
 * Executes KV requests with etcd's semantics (etcdserver/apply.go) on the MVCC store. Each
 * request is checked, then applied synchronously in one piece; a write's response waits for its
 * revision to be durable, a read's for everything it saw to be durable.
 */
export class Applier {
  constructor(
    private readonly kv: KVStore,
    private readonly lessor: Lessor,
    private readonly maxTxnOps: number,
  ) {}

  async range(r: RangeRequest): Promise<RangeResponse> {
    checkRangeRequest(r);
    const planned = this.planRange(r, (range, rev, limit, countOnly) => this.kv.range(range, rev, limit, countOnly));
    const response = await planned.finish();
    // A linearizable read answers only with what is durable; a serializable one may not wait.
    if (!r.serializable) await this.kv.backend.flushed();
    return response;
  }

  put(r: PutRequest, admit?: Admit): Applied<PutResponse> {
    checkPutRequest(r);
    admit?.();
    this.checkPutAgainstState(r);
    const txn = this.kv.write();
    const response = this.doPut(txn, r);
    return { response, durable: txn.end() };
  }

  deleteRange(r: DeleteRangeRequest, admit?: Admit): Applied<DeleteRangeResponse> {
    checkDeleteRequest(r);
    admit?.();
    const txn = this.kv.write();
    const response = this.doDelete(txn, r);
    return { response, durable: txn.end() };
  }

  txn(r: TxnRequest, admit?: Admit): Applied<Promise<TxnResponse>> {
    checkTxnRequest(r, this.maxTxnOps);
    checkIntervals(r);
    if (!isReadOnly(r)) admit?.();
    // Every compare, nested ones too, sees the state before the txn (etcd's compareToPath).
    const path = this.choosePath(r);
    this.checkPath(r, path);
    const txn = this.kv.write();
    const pending = this.doTxn(txn, r, path);
    return { response: pending, durable: txn.end() };
  }

  /** Starts a compaction; `done` resolves once the backend has dropped the old revisions. */
  compact(r: CompactionRequest): { rev: number; done: Promise<void> } {
    const done = this.kv.compact(Number(r.revision));
    return { rev: this.kv.currentRev, done };
  }

  private checkPutAgainstState(r: PutRequest): void {
    if (r.ignore_value || r.ignore_lease) {
      const { count } = this.kv.range(toKeyRange(r.key, Buffer.alloc(0)), 0, 0, true);
      if (count === 0) throw Errors.keyNotFound();
    }
    if (r.lease !== NO_LEASE && !this.lessor.lookup(r.lease)) throw Errors.leaseNotFound();
  }

  private doPut(txn: WriteTxn, r: PutRequest): PutResponse {
    let { value, lease } = r;
    if (r.ignore_value || r.ignore_lease) {
      const [current] = txn.range(toKeyRange(r.key, Buffer.alloc(0)), 0, 1, false).entries as KeyValue[];
      if (!current) throw Errors.keyNotFound();
      if (r.ignore_value) value = current.value;
      if (r.ignore_lease) lease = current.lease;
    }
    const prev = txn.put(r.key, value, lease);
    return { header: { revision: txn.rev }, ...(r.prev_kv && prev ? { prev_kv: prev } : {}) };
  }

  private doDelete(txn: WriteTxn, r: DeleteRangeRequest): DeleteRangeResponse {
    const deleted = txn.deleteRange(toKeyRange(r.key, r.range_end));
    return { header: { revision: txn.readRev }, deleted: deleted.length, prev_kvs: r.prev_kv ? deleted : [] };
  }

  private choosePath(r: TxnRequest): boolean[] {
    const path: boolean[] = [];
    const walk = (t: TxnRequest): void => {
      const succeeded = t.compare.every((c) => evaluateCompare(this.kv, c));
      path.push(succeeded);
      for (const op of succeeded ? t.success : t.failure) if (op.request === 'request_txn') walk(op.request_txn);
    };
    walk(r);
    return path;
  }

  /** Checks the ops that will run (leases exist, ignore_* keys exist) before anything changes. */
  private checkPath(r: TxnRequest, path: boolean[]): void {
    let at = 0;
    const walk = (t: TxnRequest): void => {
      const ops = path[at++] ? t.success : t.failure;
      for (const op of ops) {
        if (op.request === 'request_put') this.checkPutAgainstState(op.request_put);
        else if (op.request === 'request_txn') walk(op.request_txn);
        else if (op.request === 'request_range') this.checkRangeRevision(op.request_range);
      }
    };
    walk(r);
  }

  private checkRangeRevision(r: RangeRequest): void {
    const rev = Number(r.revision);
    if (rev > this.kv.currentRev) throw Errors.futureRevision();
    if (rev > 0 && rev < this.kv.compactMainRev) throw Errors.compacted();
  }

  private async doTxn(txn: WriteTxn, r: TxnRequest, path: boolean[]): Promise<TxnResponse> {
    let at = 0;
    const run = (t: TxnRequest): { succeeded: boolean; responses: Array<ResponseOp | Promise<ResponseOp>> } => {
      const succeeded = path[at++]!;
      const responses = (succeeded ? t.success : t.failure).map((op) => this.doOp(txn, op, run));
      return { succeeded, responses };
    };
    const { succeeded, responses } = run(r);
    return { header: { revision: txn.readRev }, succeeded, responses: await Promise.all(responses) };
  }

  private doOp(
    txn: WriteTxn,
    op: RequestOp,
    run: (t: TxnRequest) => { succeeded: boolean; responses: Array<ResponseOp | Promise<ResponseOp>> },
  ): ResponseOp | Promise<ResponseOp> {
    switch (op.request) {
      case 'request_range': {
        const planned = this.planRange(op.request_range, (range, rev, limit, countOnly) => txn.range(range, rev, limit, countOnly));
        return planned.finish().then((response_range) => ({ response_range }));
      }
      case 'request_put':
        return { response_put: this.doPut(txn, op.request_put) };
      case 'request_delete_range':
        return { response_delete_range: this.doDelete(txn, op.request_delete_range) };
      case 'request_txn': {
        const { succeeded, responses } = run(op.request_txn);
        // etcd fills in only the outermost txn's header: a nested txn's stays empty (revision 0).
        return Promise.all(responses).then((list) => ({
          response_txn: { header: { revision: 0 }, succeeded, responses: list },
        }));
      }
      default:
        // checkTxnRequest refuses an empty op before anything runs.
        throw Errors.keyNotFound();
    }
  }

  /**
   * A range in two steps: the keys are chosen now (synchronously, so a txn stays atomic), the
   * values not cached in memory are read after. Options as etcd applies them: filters and a sort
   * order need every key, then the limit cuts the sorted list and sets `more`. A sort target
   * other than KEY with order NONE is sorted ascending, but only among the first limit + 1 keys:
   * etcd decides what to fetch on the order as requested.
   */
  private planRange(
    r: RangeRequest,
    read: (range: ReturnType<typeof toKeyRange>, rev: number, limit: number, countOnly: boolean) => { entries: RangeEntry[]; count: number; rev: number },
  ): { finish(): Promise<RangeResponse> } {
    const limit = Number(r.limit);
    const filtered = r.min_mod_revision !== '0' || r.max_mod_revision !== '0' || r.min_create_revision !== '0' || r.max_create_revision !== '0';
    const sortTarget = String(r.sort_target);
    const needsAll = String(r.sort_order) !== 'NONE' || filtered;
    const sortOrder = String(r.sort_order) === 'NONE' && sortTarget !== 'KEY' ? 'ASCEND' : String(r.sort_order);
    const fetchLimit = needsAll || limit <= 0 ? 0 : limit + 1;
    const result = read(toKeyRange(r.key, r.range_end), Number(r.revision), fetchLimit, r.count_only);
    return {
      finish: async () => {
        let kvs = r.count_only ? [] : await this.kv.materialize(result.entries);
        if (filtered) kvs = kvs.filter((kv) => passesFilters(r, kv));
        if (sortOrder !== 'NONE' && !(sortOrder === 'ASCEND' && sortTarget === 'KEY')) kvs = sortKvs(kvs, sortTarget, sortOrder);
        let more = false;
        if (limit > 0 && kvs.length > limit) {
          kvs = kvs.slice(0, limit);
          more = true;
        }
        if (r.keys_only) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
        return { header: { revision: result.rev }, kvs, more, count: result.count };
      },
    };
  }
}

const EMPTY = Buffer.alloc(0);

/** etcd's isTxnReadonly: only ranges in both branches (a nested txn counts as a write). */
function isReadOnly(r: TxnRequest): boolean {
  return [...r.success, ...r.failure].every((op) => op.request === 'request_range');
}

function passesFilters(r: RangeRequest, kv: KeyValue): boolean {
  const minMod = Number(r.min_mod_revision);
  const maxMod = Number(r.max_mod_revision);
  const minCreate = Number(r.min_create_revision);
  const maxCreate = Number(r.max_create_revision);
  if (maxMod !== 0 && kv.mod_revision > maxMod) return false;
  if (minMod !== 0 && kv.mod_revision < minMod) return false;
  if (maxCreate !== 0 && kv.create_revision > maxCreate) return false;
  if (minCreate !== 0 && kv.create_revision < minCreate) return false;
  return true;
}

function sortKvs(kvs: KeyValue[], target: string, order: string): KeyValue[] {
  const by: Record<string, (a: KeyValue, b: KeyValue) => number> = {
    KEY: (a, b) => Buffer.compare(a.key, b.key),
    VERSION: (a, b) => a.version - b.version,
    CREATE: (a, b) => a.create_revision - b.create_revision,
    MOD: (a, b) => a.mod_revision - b.mod_revision,
    VALUE: (a, b) => Buffer.compare(a.value, b.value),
  };
  const compare = by[target]!;
  const sorted = [...kvs].sort(compare);
  return order === 'DESCEND' ? sorted.reverse() : sorted;
}
