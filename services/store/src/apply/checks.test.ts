import { describe, expect, it } from 'vitest';
import { checkIntervals, checkTxnRequest } from './checks';
import type { Compare, RequestOp, TxnRequest } from './requests';

/** Requests as proto-loader hands them over: every field present. */
const b = (s: string) => Buffer.from(s, 'latin1');

const get = (key: string): RequestOp => ({
  request: 'request_range',
  request_range: {
    key: b(key),
    range_end: b(''),
    limit: '0',
    revision: '0',
    sort_order: 'NONE',
    sort_target: 'KEY',
    serializable: false,
    keys_only: false,
    count_only: false,
    min_mod_revision: '0',
    max_mod_revision: '0',
    min_create_revision: '0',
    max_create_revision: '0',
  },
});
const put = (key: string): RequestOp => ({
  request: 'request_put',
  request_put: { key: b(key), value: b('v'), lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false },
});
const del = (key: string, rangeEnd = ''): RequestOp => ({ request: 'request_delete_range', request_delete_range: { key: b(key), range_end: b(rangeEnd), prev_kv: false } });
const txn = (success: RequestOp[], failure: RequestOp[] = [], compare: Compare[] = []): TxnRequest => ({ compare, success, failure });
const nested = (success: RequestOp[], failure: RequestOp[] = []): RequestOp => ({ request: 'request_txn', request_txn: txn(success, failure) });
const versionIs = (key: string): Compare => ({
  result: 'EQUAL',
  target: 'VERSION',
  key: b(key),
  target_union: 'version',
  version: '0',
  create_revision: '0',
  mod_revision: '0',
  value: b(''),
  lease: '0',
  range_end: b(''),
});
const gets = (n: number) => Array.from({ length: n }, (_, i) => get(`k${i}`));

const TOO_MANY = 'etcdserver: too many operations in txn request';
const DUPLICATE = 'etcdserver: duplicate key given in txn request';

describe('checkTxnRequest (etcd v3rpc checkTxnRequest)', () => {
  it('refuses a compare on the empty key', () => {
    expect(() => checkTxnRequest(txn([put('a')], [], [versionIs('')]), 128)).toThrow('etcdserver: key is not provided');
    expect(() => checkTxnRequest(txn([], [], [versionIs('a')]), 128)).not.toThrow();
  });

  it('refuses an op with no request, at any depth, as "key not found"', () => {
    expect(() => checkTxnRequest(txn([{}]), 128)).toThrow('etcdserver: key not found');
    expect(() => checkTxnRequest(txn([], [nested([get('a')], [{}])]), 128)).toThrow('etcdserver: key not found');
  });

  it('gives a nested txn the ops its parent left: the limit less the parent\'s longest list', () => {
    expect(() => checkTxnRequest(txn([...gets(99), nested(gets(28))]), 128)).not.toThrow();
    expect(() => checkTxnRequest(txn([...gets(99), nested(gets(29))]), 128)).toThrow(TOO_MANY);
    // The longest list counts, compares and the other branch included.
    expect(() => checkTxnRequest(txn([nested(gets(29))], gets(100)), 128)).toThrow(TOO_MANY);
    expect(() => checkTxnRequest(txn([nested([], gets(28))], [], Array.from({ length: 100 }, () => versionIs('a'))), 128)).not.toThrow();
    expect(() => checkTxnRequest(txn([nested([], gets(29))], [], Array.from({ length: 100 }, () => versionIs('a'))), 128)).toThrow(TOO_MANY);
    // And a txn nested twice what its own parent left.
    expect(() => checkTxnRequest(txn([...gets(63), nested([...gets(32), nested(gets(31))])]), 128)).not.toThrow();
    expect(() => checkTxnRequest(txn([...gets(63), nested([...gets(32), nested(gets(32))])]), 128)).toThrow(TOO_MANY);
  });
});

describe('checkIntervals (etcd v3rpc checkIntervals, 3.4)', () => {
  it.each<[string, RequestOp[]]>([
    ['two puts of one key', [put('a'), put('a')]],
    ['a put in a deleted range', [del('a', 'c'), put('b')]],
    ['a put of a deleted key', [put('a'), del('a')]],
    ['sibling nested txns putting one key', [nested([put('a')]), nested([put('a')])]],
    ['a nested success and a sibling\'s failure putting one key', [nested([put('a')]), nested([], [put('a')])]],
    ['a nested put in an earlier sibling\'s deleted range', [nested([del('a', 'c')]), nested([put('b')])]],
    ['a nested put in the parent\'s deleted range', [del('a', 'c'), nested([put('b')])]],
    ['a put in a nested deleted range', [nested([], [del('a', 'c')]), put('b')]],
    ['a put and a put two levels down', [put('a'), nested([nested([put('a')])])]],
  ])('refuses %s', (_, ops) => {
    expect(() => checkIntervals(txn(ops))).toThrow(DUPLICATE);
    expect(() => checkIntervals(txn([], ops))).toThrow(DUPLICATE);
  });

  it.each<[string, RequestOp[]]>([
    ['puts of different keys', [put('a'), put('b')]],
    ['a put just past a deleted range', [del('a', 'c'), put('c')]],
    ['the two branches of one nested txn putting one key', [nested([put('a')], [put('a')])]],
    ['a nested put, then a sibling deleting it (etcd checks siblings in order)', [nested([put('b')]), nested([del('a', 'c')])]],
    ['a from-key delete and a put after its key (etcd 3.4: [key, "\\0") holds no key)', [del('a', '\x00'), put('b')]],
    ['a from-key delete and a put of its own key', [del('a', '\x00'), put('a')]],
    ['a nested from-key delete and a put', [nested([del('a', '\x00')]), put('z')]],
    ['a delete whose end is before its key', [del('c', 'a'), put('b')]],
  ])('allows %s', (_, ops) => {
    expect(() => checkIntervals(txn(ops))).not.toThrow();
  });

  it('checks each branch on its own', () => {
    expect(() => checkIntervals(txn([put('a')], [put('a')]))).not.toThrow();
  });
});
