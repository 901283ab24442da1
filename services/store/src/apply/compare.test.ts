import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lessor } from '../lease/lessor';
import { Backend } from '../mvcc/backend';
import { KVStore } from '../mvcc/kv-store';
import { Applier } from './applier';
import { evaluateCompare } from './compare';
import type { Compare, PutRequest, RangeRequest, TxnRequest } from './requests';

/** Two lease IDs one apart, above 2^53: a compare done in floating point could not tell them apart. */
const LEASE = '7587862184331563265';
const LEASE_MINUS_ONE = '7587862184331563264';

type Target = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
type Result = 'EQUAL' | 'NOT_EQUAL' | 'GREATER' | 'LESS';

const UNION = { VERSION: 'version', CREATE: 'create_revision', MOD: 'mod_revision', VALUE: 'value', LEASE: 'lease' } as const;

/** A Compare as proto-loader hands it over: every field present, the oneof named by target_union. */
function compare(key: string, target: Target, result: Result, operand: string | number, rangeEnd = ''): Compare {
  const c: Compare = {
    key: Buffer.from(key, 'latin1'),
    range_end: Buffer.from(rangeEnd, 'latin1'),
    target,
    result,
    target_union: UNION[target],
    version: '0',
    create_revision: '0',
    mod_revision: '0',
    value: Buffer.alloc(0),
    lease: '0',
  };
  if (target === 'VALUE') c.value = Buffer.from(String(operand), 'latin1');
  else if (target === 'LEASE') c.lease = String(operand);
  else c[UNION[target]] = String(operand);
  return c;
}

let dir: string;
let backend: Backend;
let kv: KVStore;

/**
 * The state every test reads:
 *   rev 2: put a = "1"            rev 3: put b = "2" (lease LEASE)
 *   rev 4: put a = "10"           rev 5: put c = "3"
 *   rev 6: put gone = "x"         rev 7: delete gone
 * So a: create 2, mod 4, version 2, no lease; b: create 3, mod 3, version 1, lease LEASE.
 */
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-compare-'));
  backend = await Backend.open(dir);
  kv = new KVStore(backend);
  await kv.restore();
  const put = (key: string, value: string, lease = '0') => {
    const txn = kv.write();
    txn.put(Buffer.from(key), Buffer.from(value), lease);
    return txn.end();
  };
  await put('a', '1');
  await put('b', '2', LEASE);
  await put('a', '10');
  await put('c', '3');
  await put('gone', 'x');
  const txn = kv.write();
  txn.deleteRange({ key: 'gone', end: undefined });
  await txn.end();
  expect(kv.currentRev).toBe(7);
});

afterAll(async () => {
  await backend?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('txn compare on one existing key', () => {
  it.each<[Target, Result, string | number, boolean]>([
    // key a: version 2
    ['VERSION', 'EQUAL', 2, true],
    ['VERSION', 'EQUAL', 1, false],
    ['VERSION', 'NOT_EQUAL', 1, true],
    ['VERSION', 'NOT_EQUAL', 2, false],
    ['VERSION', 'GREATER', 1, true],
    ['VERSION', 'GREATER', 2, false],
    ['VERSION', 'LESS', 3, true],
    ['VERSION', 'LESS', 2, false],
    // key a: create_revision 2
    ['CREATE', 'EQUAL', 2, true],
    ['CREATE', 'EQUAL', 4, false],
    ['CREATE', 'NOT_EQUAL', 0, true],
    ['CREATE', 'GREATER', 1, true],
    ['CREATE', 'GREATER', 2, false],
    ['CREATE', 'LESS', 3, true],
    ['CREATE', 'LESS', 2, false],
    // key a: mod_revision 4
    ['MOD', 'EQUAL', 4, true],
    ['MOD', 'EQUAL', 2, false],
    ['MOD', 'NOT_EQUAL', 2, true],
    ['MOD', 'GREATER', 3, true],
    ['MOD', 'GREATER', 4, false],
    ['MOD', 'LESS', 5, true],
    ['MOD', 'LESS', 4, false],
    // key a: value "10", compared byte-wise (so "10" < "9" and "10" > "1")
    ['VALUE', 'EQUAL', '10', true],
    ['VALUE', 'EQUAL', '1', false],
    ['VALUE', 'NOT_EQUAL', '1', true],
    ['VALUE', 'GREATER', '1', true],
    ['VALUE', 'GREATER', '', true],
    ['VALUE', 'LESS', '9', true],
    ['VALUE', 'LESS', '100', true],
    ['VALUE', 'LESS', '10', false],
    ['VALUE', 'GREATER', '\xff', false],
    // key a: no lease
    ['LEASE', 'EQUAL', 0, true],
    ['LEASE', 'NOT_EQUAL', 0, false],
    ['LEASE', 'LESS', LEASE, true],
  ])('a: %s %s %s is %s', (target, result, operand, expected) => {
    expect(evaluateCompare(kv, compare('a', target, result, operand))).toBe(expected);
  });

  it.each<[Result, string, boolean]>([
    ['EQUAL', LEASE, true],
    ['EQUAL', LEASE_MINUS_ONE, false],
    ['GREATER', LEASE_MINUS_ONE, true],
    ['LESS', LEASE_MINUS_ONE, false],
    ['NOT_EQUAL', '0', true],
    ['GREATER', '0', true],
  ])('b (leased): LEASE %s %s is %s, exact for 64-bit IDs', (result, operand, expected) => {
    expect(evaluateCompare(kv, compare('b', 'LEASE', result, operand))).toBe(expected);
  });

  it('a compare without its operand set compares against zero / the empty value, as etcd does', () => {
    const noOperand = (target: Target, result: Result): Compare => ({ ...compare('a', target, result, 0), target_union: undefined });
    expect(evaluateCompare(kv, noOperand('VERSION', 'GREATER'))).toBe(true); // 2 > 0
    expect(evaluateCompare(kv, noOperand('MOD', 'EQUAL'))).toBe(false); // 4 = 0
    expect(evaluateCompare(kv, noOperand('VALUE', 'GREATER'))).toBe(true); // "10" > ""
    expect(evaluateCompare(kv, noOperand('LEASE', 'EQUAL'))).toBe(true); // 0 = 0
    // An operand in another member of the oneof is not used: version 2 is compared with 0, not with the stray 2.
    expect(evaluateCompare(kv, { ...compare('a', 'VERSION', 'EQUAL', 0), target_union: 'mod_revision', mod_revision: '2' })).toBe(false);
  });
});

describe('txn compare on a key that does not exist', () => {
  // etcd (applyCompare): no key compares as version, create, mod and lease 0; a VALUE compare fails.
  it.each<[string, Target, Result, string | number, boolean]>([
    ['missing', 'VERSION', 'EQUAL', 0, true],
    ['missing', 'VERSION', 'GREATER', 0, false],
    ['missing', 'VERSION', 'LESS', 1, true],
    ['missing', 'CREATE', 'EQUAL', 0, true],
    ['missing', 'CREATE', 'NOT_EQUAL', 0, false],
    ['missing', 'MOD', 'EQUAL', 0, true],
    ['missing', 'MOD', 'LESS', 5, true],
    ['missing', 'LEASE', 'EQUAL', 0, true],
    ['missing', 'LEASE', 'EQUAL', LEASE, false],
    ['missing', 'VALUE', 'EQUAL', '', false],
    ['missing', 'VALUE', 'NOT_EQUAL', 'x', false],
    ['missing', 'VALUE', 'GREATER', '', false],
    ['missing', 'VALUE', 'LESS', 'zzz', false],
    ['gone', 'CREATE', 'EQUAL', 0, true],
    ['gone', 'VERSION', 'EQUAL', 0, true],
    ['gone', 'MOD', 'EQUAL', 7, false],
    ['gone', 'VALUE', 'EQUAL', '', false],
  ])('%s: %s %s %s is %s', (key, target, result, operand, expected) => {
    expect(evaluateCompare(kv, compare(key, target, result, operand))).toBe(expected);
  });
});

describe('txn compare over a range', () => {
  it.each<[string, string, Target, Result, string | number, boolean, string]>([
    ['a', 'c', 'VERSION', 'GREATER', 0, true, 'a and b both exist'],
    ['a', 'c', 'VERSION', 'EQUAL', 2, false, 'b has version 1'],
    ['a', 'c', 'VALUE', 'LESS', '3', true, '"10" and "2" are below "3"'],
    ['a', 'd', 'VALUE', 'LESS', '3', false, 'c = "3" is not below "3"'],
    ['a', 'd', 'CREATE', 'LESS', 6, true, 'all created before 6'],
    ['a', 'd', 'MOD', 'GREATER', 3, false, 'b was last modified at 3'],
    ['a', '\x00', 'MOD', 'GREATER', 1, true, 'range_end "\\0" is every key from a on ("gone" is deleted, so not seen)'],
    ['b', '\x00', 'LEASE', 'EQUAL', LEASE, false, 'c has no lease'],
    ['b', 'c', 'LEASE', 'EQUAL', LEASE, true, 'only b in [b, c)'],
    ['go', 'gp', 'CREATE', 'EQUAL', 0, true, 'a range holding only a deleted key compares as zero'],
    ['x', 'z', 'VERSION', 'EQUAL', 0, true, 'an empty range compares as zero'],
    ['x', 'z', 'VALUE', 'EQUAL', '', false, 'a VALUE compare over an empty range fails'],
  ])('[%s, %s) %s %s %s is %s: %s', (key, end, target, result, operand, expected) => {
    expect(evaluateCompare(kv, compare(key, target, result, operand, end))).toBe(expected);
  });
});

describe('a txn takes the success branch only when every compare holds', () => {
  const rangeOf = (key: string): RangeRequest => ({
    key: Buffer.from(key),
    range_end: Buffer.alloc(0),
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
  });
  const putOf = (key: string, value: string): PutRequest => ({
    key: Buffer.from(key),
    value: Buffer.from(value),
    lease: '0',
    prev_kv: false,
    ignore_value: false,
    ignore_lease: false,
  });

  it.each([
    { compares: [compare('a', 'VALUE', 'EQUAL', '10'), compare('missing', 'CREATE', 'EQUAL', 0)], succeeded: true },
    { compares: [compare('a', 'VALUE', 'EQUAL', '10'), compare('missing', 'VALUE', 'EQUAL', '')], succeeded: false },
    { compares: [compare('a', 'VERSION', 'EQUAL', 1)], succeeded: false },
    { compares: [], succeeded: true },
  ])('compares $compares.length -> succeeded $succeeded', async ({ compares, succeeded }) => {
    const lessor = new Lessor(kv, { minTTL: 2, memberId: 1n, clock: { now: () => 0 } });
    const applier = new Applier(kv, lessor, 128);
    const request: TxnRequest = {
      compare: compares,
      success: [{ request: 'request_range', request_range: rangeOf('a') }],
      failure: [{ request: 'request_range', request_range: rangeOf('c') }],
    };
    const { response, durable } = applier.txn(request);
    const [body] = await Promise.all([response, durable]);
    expect(body.succeeded).toBe(succeeded);
    const [op] = body.responses;
    expect(op && 'response_range' in op ? op.response_range.kvs.map((k) => k.value.toString()) : undefined).toEqual([succeeded ? '10' : '3']);
    expect(kv.currentRev).toBe(7); // a read-only txn makes no revision
  });

  it('compares see the state before the txn, not its own writes', async () => {
    const lessor = new Lessor(kv, { minTTL: 2, memberId: 1n, clock: { now: () => 0 } });
    const applier = new Applier(kv, lessor, 128);
    // A nested txn whose compare would hold only after the outer put.
    const nested: TxnRequest = { compare: [compare('fresh', 'VERSION', 'EQUAL', 1)], success: [], failure: [] };
    const { response, durable } = applier.txn({
      compare: [compare('fresh', 'CREATE', 'EQUAL', 0)],
      success: [
        { request: 'request_put', request_put: putOf('fresh', 'v') },
        { request: 'request_txn', request_txn: nested },
      ],
      failure: [],
    });
    const [body] = await Promise.all([response, durable]);
    expect(body.succeeded).toBe(true);
    const inner = body.responses[1];
    expect(inner && 'response_txn' in inner ? inner.response_txn.succeeded : undefined).toBe(false);
    expect(evaluateCompare(kv, compare('fresh', 'VERSION', 'EQUAL', 1))).toBe(true);
  });
});
