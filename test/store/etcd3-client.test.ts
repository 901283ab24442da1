import { noop } from 'cockatiel';
import { CompareResult, CompareTarget, Etcd3, EtcdLeaseInvalidError, type ICompare, type IKeyValue, type IRequestOp, type WatchBuilder, type Watcher } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startEtcd, startKubelabStore, type ServerProcess } from '@kubelab/testkit';

/**
 * Conformance with the `etcd3` npm client (the Node.js client most programs use), as a
 * differential test: every step runs against the real etcd 3.4 and against the kubelab store, and
 * the raw responses must be the same once what differs between any two clusters (cluster and
 * member IDs, raft term, lease IDs) is masked. Revisions are not masked: both servers start empty
 * and see the same writes in the same order, so their revisions must agree exactly. Each step
 * also checks what the answer says, so a fault common to both cannot pass unseen.
 *
 * Every test uses its own key prefix. Tests run in order; none leaves a lease or watch behind
 * that could write later, so the two servers' revisions stay in step.
 */

type Side = 'etcd' | 'kubelab';
const SIDES: Side[] = ['etcd', 'kubelab'];

const servers = {} as Record<Side, ServerProcess>;
const clients = {} as Record<Side, Etcd3>;

beforeAll(async () => {
  [servers.etcd, servers.kubelab] = await Promise.all([startEtcd(), startKubelabStore()]);
  for (const side of SIDES) {
    // No client-side retries or circuit breaking: each call reaches the server once, and its error is what the server said.
    clients[side] = new Etcd3({ hosts: servers[side].endpoint, faultHandling: { global: noop, host: () => noop } });
  }
});

afterAll(async () => {
  for (const side of SIDES) clients[side]?.close();
  await Promise.all(SIDES.map((side) => servers[side]?.stop()));
});

/** What a step produced: a value, or the error the client rejected with. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: { type: string; message: string } };

async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: { type: e.constructor.name, message: e.message } };
  }
}

/** Masks what legitimately differs between two clusters; buffers become readable text. */
function normalize(value: unknown): unknown {
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    return Buffer.from(text, 'utf8').equals(value) ? text : `<hex ${value.toString('hex')}>`;
  }
  // Lease IDs: random 64-bit numbers (a short one, like 777, was chosen by the test and is kept).
  if (typeof value === 'string') return value.replace(/\d{12,}/g, '<LEASE ID>');
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      // Zero stays zero: etcd leaves the headers inside a txn's responses unset.
      if (field === '0' || field === 0) out[key] = field;
      else if (key === 'cluster_id' || key === 'member_id' || key === 'raft_term') out[key] = '<ID>';
      // Fields named with a leading underscore are the test's own measurements (timings), not compared.
      else if (key.startsWith('_')) out[key] = '<not compared>';
      else out[key] = normalize(field);
    }
    return out;
  }
  return value;
}

/** Runs one step on both servers at once; checks the outcomes match; returns the kubelab store's. */
async function both<T>(step: string, run: (client: Etcd3, side: Side) => Promise<T>): Promise<Outcome<T>> {
  const [reference, ours] = await Promise.all(SIDES.map((side) => settle(run(clients[side], side))));
  expect(normalize(ours), `${step}: kubelab vs etcd`).toEqual(normalize(reference));
  return ours as Outcome<T>;
}

/** Like `both`, for a step that must succeed: returns the kubelab store's value. */
async function ok<T>(step: string, run: (client: Etcd3, side: Side) => Promise<T>): Promise<T> {
  const outcome = await both(step, run);
  if (!outcome.ok) throw new Error(`${step} failed on both servers: ${outcome.error.message}`);
  return outcome.value;
}

/** Like `both`, for a step that must fail: returns the kubelab store's error. */
async function fails(step: string, run: (client: Etcd3, side: Side) => Promise<unknown>): Promise<{ type: string; message: string }> {
  const outcome = await both(step, run);
  if (outcome.ok) throw new Error(`${step} succeeded on both servers, expected an error`);
  return outcome.error;
}

const text = (kv: IKeyValue | null | undefined) => (kv ? { key: kv.key.toString(), value: kv.value.toString() } : kv);
const currentRevision = async (client: Etcd3) => Number((await client.get('\0nothing').exec()).header.revision);

interface Recorded {
  type: string;
  kv: IKeyValue;
  prev_kv: IKeyValue | null;
}

/**
 * Opens a watch and records every event. Listeners are attached before the create request goes
 * out, so not even events sent right after the created response can be missed.
 */
async function watching(builder: WatchBuilder): Promise<{ watcher: Watcher; events: Recorded[]; errors: Error[] }> {
  const watcher = builder.watcher();
  const events: Recorded[] = [];
  const errors: Error[] = [];
  watcher.on('data', (res) => {
    for (const ev of res.events) events.push({ type: String(ev.type), kv: ev.kv, prev_kv: ev.prev_kv ?? null });
  });
  watcher.on('error', (error) => errors.push(error));
  await waitFor(() => watcher.id !== null || errors.length > 0, { timeoutMs: 10_000, what: 'the watch to be created' });
  if (errors.length > 0) throw errors[0];
  return { watcher, events, errors };
}

describe('the etcd3 client against the kubelab store and real etcd 3.4', () => {
  it('put and get: string, number and binary values, revisions and versions', async () => {
    const start = await ok('current revision', currentRevision);

    const first = await ok('put kv/a', (c) => c.put('kv/a').value('one').exec());
    expect(Number(first.header.revision)).toBe(start + 1);
    expect(first.prev_kv).toBeNull();

    const second = await ok('put kv/a again', (c) => c.put('kv/a').value('two').exec());
    expect(Number(second.header.revision)).toBe(start + 2);

    const prev = await ok('put kv/a with getPrevious', (c) => c.put('kv/a').value('three').getPrevious());
    expect(text(prev)).toEqual({ key: 'kv/a', value: 'two' });
    expect(Number(prev.header.revision)).toBe(start + 3);

    expect(await ok('get kv/a as a string', (c) => c.get('kv/a').string())).toBe('three');
    const got = await ok('get kv/a raw', (c) => c.get('kv/a').exec());
    expect(got.kvs).toHaveLength(1);
    expect(got.kvs[0]).toMatchObject({ create_revision: String(start + 1), mod_revision: String(start + 3), version: '3', lease: '0' });
    expect(Number(got.header.revision)).toBe(start + 3);
    expect(got).toMatchObject({ count: '1', more: false });

    // Reads at a past revision see the value as it was.
    expect(await ok('get kv/a at the first revision', (c) => c.get('kv/a').revision(start + 1).string())).toBe('one');
    // The header still carries the current revision, not the one read at.
    const past = await ok('get kv/a at the first revision, raw', (c) => c.get('kv/a').revision(start + 1).exec());
    expect(Number(past.header.revision)).toBe(start + 3);
    expect(Number(past.kvs[0]!.mod_revision)).toBe(start + 1);
    expect(await ok('get kv/a before it existed', (c) => c.get('kv/a').revision(start).string())).toBeNull();

    // Every byte value survives, in the value and in the key.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await ok('put a binary value', (c) => c.put('kv/bin').value(bytes).exec());
    const binary = await ok('get the binary value', (c) => c.get('kv/bin').buffer());
    expect(binary!.equals(bytes)).toBe(true);
    const binaryKey = Buffer.from([0x6b, 0x76, 0x2f, 0x00, 0xff, 0x80, 0x7f]);
    await ok('put under a binary key', (c) => c.put(binaryKey).value('under a binary key').exec());
    expect(await ok('get under the binary key', (c) => c.get(binaryKey).string())).toBe('under a binary key');

    await ok('put a number', (c) => c.put('kv/n').value(42).exec());
    expect(await ok('get it as a number', (c) => c.get('kv/n').number())).toBe(42);
    await ok('put JSON', (c) => c.put('kv/json').value(JSON.stringify({ a: [1, 2] })).exec());
    expect(await ok('get it as JSON', (c) => c.get('kv/json').json())).toEqual({ a: [1, 2] });

    expect(await ok('get a missing key', (c) => c.get('kv/missing').string())).toBeNull();
    expect(await ok('exists, missing', (c) => c.get('kv/missing').exists())).toBe(false);
    expect(await ok('exists, present', (c) => c.get('kv/a').exists())).toBe(true);
    const empty = await ok('put an empty value', async (c) => {
      await c.put('kv/empty').value('').exec();
      return c.get('kv/empty').exec();
    });
    expect(empty.kvs[0]).toMatchObject({ version: '1' });
    expect(empty.kvs[0]!.value).toHaveLength(0);
  });

  it('getAll: prefix, range, limit, sorting, keys only, count, revision filters', async () => {
    const start = await ok('current revision', currentRevision);
    // Written out of key order, so key order, creation order and value order all differ.
    const writes: Array<[string, string]> = [
      ['ga/c', 'x'],
      ['ga/a', 'z'],
      ['ga/e', 'v'],
      ['ga/b', 'y'],
      ['ga/d', 'w'],
      ['gb/outside', 'u'],
    ];
    await ok('put the keys', async (c) => {
      for (const [key, value] of writes) await c.put(key).value(value).exec();
    });
    await ok('update ga/c', (c) => c.put('ga/c').value('zz').exec());

    expect(await ok('strings under the prefix', (c) => c.getAll().prefix('ga/').strings())).toEqual({
      'ga/a': 'z',
      'ga/b': 'y',
      'ga/c': 'zz',
      'ga/d': 'w',
      'ga/e': 'v',
    });
    expect(await ok('keys under the prefix', (c) => c.getAll().prefix('ga/').keys())).toEqual(['ga/a', 'ga/b', 'ga/c', 'ga/d', 'ga/e']);
    // The raw KV client: keys_only and count_only as a program sets them.
    const bare = await ok('keys only, raw', (c) => c.kv.range({ key: Buffer.from('ga/'), range_end: Buffer.from('ga0'), keys_only: true }));
    expect(bare.kvs.map((kv) => kv.key.toString())).toEqual(['ga/a', 'ga/b', 'ga/c', 'ga/d', 'ga/e']);
    expect(bare.kvs.map((kv) => kv.value.length)).toEqual([0, 0, 0, 0, 0]);
    expect(bare.kvs.map((kv) => kv.version)).toEqual(['1', '1', '2', '1', '1']);
    expect(await ok('count', (c) => c.getAll().prefix('ga/').count())).toBe(5);
    const counted = await ok('count only, raw', (c) => c.kv.range({ key: Buffer.from('ga/'), range_end: Buffer.from('ga0'), count_only: true }));
    expect(counted).toMatchObject({ count: '5', kvs: [], more: false });

    const limited = await ok('limit 2', (c) => c.getAll().prefix('ga/').limit(2).exec());
    expect(limited).toMatchObject({ more: true, count: '5' });
    expect(limited.kvs.map((kv) => kv.key.toString())).toEqual(['ga/a', 'ga/b']);
    const exact = await ok('limit 5 of 5', (c) => c.getAll().prefix('ga/').limit(5).exec());
    expect(exact).toMatchObject({ more: false, count: '5' });

    expect(await ok('sort by value, descending', (c) => c.getAll().prefix('ga/').sort('Value', 'Descend').keys())).toEqual([
      'ga/c',
      'ga/a',
      'ga/b',
      'ga/d',
      'ga/e',
    ]);
    expect(await ok('sort by create revision, ascending', (c) => c.getAll().prefix('ga/').sort('Create', 'Ascend').keys())).toEqual([
      'ga/c',
      'ga/a',
      'ga/e',
      'ga/b',
      'ga/d',
    ]);
    expect(await ok('sort by mod revision, descending, limit 2', (c) => c.getAll().prefix('ga/').sort('Mod', 'Descend').limit(2).keys())).toEqual([
      'ga/c',
      'ga/d',
    ]);
    expect(await ok('sort by key, descending', (c) => c.getAll().prefix('ga/').sort('Key', 'Descend').keys())).toEqual([
      'ga/e',
      'ga/d',
      'ga/c',
      'ga/b',
      'ga/a',
    ]);
    expect(await ok('sort by version, descending', (c) => c.getAll().prefix('ga/').sort('Version', 'Descend').limit(1).keys())).toEqual(['ga/c']);

    expect(await ok('a key range [ga/b, ga/d)', (c) => c.getAll().inRange({ start: 'ga/b', end: 'ga/d' }).keys())).toEqual(['ga/b', 'ga/c']);
    expect(await ok('every key from ga/e on', (c) => c.getAll().inRange({ start: 'ga/e', end: '\0' }).keys())).toContain('gb/outside');
    expect(await ok('min mod revision', (c) => c.getAll().prefix('ga/').minModRevision(start + 4).keys())).toEqual(['ga/b', 'ga/c', 'ga/d']);
    expect(await ok('max create revision', (c) => c.getAll().prefix('ga/').maxCreateRevision(start + 2).keys())).toEqual(['ga/a', 'ga/c']);
    expect(await ok('the prefix at an old revision', (c) => c.getAll().prefix('ga/').revision(start + 2).strings())).toEqual({ 'ga/a': 'z', 'ga/c': 'x' });
    expect(await ok('an empty prefix', (c) => c.getAll().prefix('nothing-here/').exec())).toMatchObject({ kvs: [], count: '0', more: false });
  });

  it('delete: one key, a prefix, with the previous values, and a missing key', async () => {
    const start = await ok('current revision', currentRevision);
    await ok('put the keys', async (c) => {
      for (const key of ['del/a', 'del/b', 'del/c', 'del/d']) await c.put(key).value(`value of ${key}`).exec();
    });
    const one = await ok('delete del/a with prev kv', (c) => c.delete().key('del/a').getPrevious());
    expect(one.map(text)).toEqual([{ key: 'del/a', value: 'value of del/a' }]);
    expect(one[0]).toMatchObject({ create_revision: String(start + 1), mod_revision: String(start + 1), version: '1' });

    const plain = await ok('delete del/b', (c) => c.delete().key('del/b').exec());
    expect(plain).toMatchObject({ deleted: '1', prev_kvs: [] });
    expect(Number(plain.header.revision)).toBe(start + 6);

    const prefix = await ok('delete the prefix with prev kvs', (c) => c.delete().prefix('del/').getPrevious());
    expect(prefix.map(text)).toEqual([
      { key: 'del/c', value: 'value of del/c' },
      { key: 'del/d', value: 'value of del/d' },
    ]);
    const missing = await ok('delete a missing key', (c) => c.delete().key('del/a').exec());
    expect(missing).toMatchObject({ deleted: '0', prev_kvs: [] });
    // Deleting nothing creates no revision.
    expect(Number(missing.header.revision)).toBe(start + 7);
    expect(await ok('nothing is left', (c) => c.getAll().prefix('del/').count())).toBe(0);
    // The history is still there.
    expect(await ok('del/c before the delete', (c) => c.get('del/c').revision(start + 6).string())).toBe('value of del/c');
  });

  it('transactions: compares on value, version, create and mod revision; both branches; reads and nested txns', async () => {
    const start = await ok('current revision', currentRevision);
    await ok('put tx/a', (c) => c.put('tx/a').value('1').exec());
    await ok('put tx/b', (c) => c.put('tx/b').value('b').exec());

    const success = await ok('txn on value and version, success', (c) =>
      c
        .if('tx/a', 'Value', '==', '1')
        .and('tx/a', 'Version', '==', 1)
        .and('tx/a', 'Create', '==', start + 1)
        .and('tx/b', 'Mod', '>', start + 1)
        .then(c.put('tx/a').value('2'), c.get('tx/a'), c.getAll().prefix('tx/'))
        .else(c.put('tx/failed').value('yes'))
        .commit(),
    );
    expect(success.succeeded).toBe(true);
    expect(Number(success.header.revision)).toBe(start + 3);
    expect(success.responses).toHaveLength(3);
    expect(Number(success.responses[0]!.response_put.header.revision)).toBe(start + 3);
    // Reads inside the txn see its own writes.
    expect(success.responses[1]!.response_range.kvs.map(text)).toEqual([{ key: 'tx/a', value: '2' }]);
    expect(success.responses[2]!.response_range.kvs.map(text)).toEqual([
      { key: 'tx/a', value: '2' },
      { key: 'tx/b', value: 'b' },
    ]);

    const failure = await ok('txn, failure branch', (c) =>
      c
        .if('tx/a', 'Value', '==', '1')
        .then(c.put('tx/never').value('x'))
        .else(c.get('tx/a'), c.delete().key('tx/b'))
        .commit(),
    );
    expect(failure.succeeded).toBe(false);
    expect(failure.responses[0]!.response_range.kvs.map(text)).toEqual([{ key: 'tx/a', value: '2' }]);
    expect(failure.responses[1]!.response_delete_range.deleted).toBe('1');
    expect(Number(failure.header.revision)).toBe(start + 4);

    const compares = await ok('every comparison operator', async (c) => {
      const results: boolean[] = [];
      for (const [column, cmp, value] of [
        ['Version', '>', 1],
        ['Version', '<', 2],
        ['Mod', '==', start + 3],
        ['Mod', '!=', start + 3],
        ['Create', '<', start + 2],
        ['Value', '>', '1'],
        ['Value', '<', '1'],
        ['Lease', '==', 0],
      ] as const) {
        results.push((await c.if('tx/a', column, cmp, value).commit()).succeeded);
      }
      return results;
    });
    expect(compares).toEqual([true, false, true, false, true, true, false, true]);

    // A missing key: its value compares as absent, its version and revisions as 0.
    const absent = await ok('compares on a missing key', async (c) => [
      (await c.if('tx/absent', 'Value', '==', '').commit()).succeeded,
      (await c.if('tx/absent', 'Version', '==', 0).commit()).succeeded,
      (await c.if('tx/absent', 'Create', '==', 0).commit()).succeeded,
      (await c.if('tx/absent', 'Mod', '<', 1).commit()).succeeded,
    ]);
    expect(absent).toEqual([false, true, true, true]);

    // A nested txn: its compares see the state before the outer txn, its ops see the outer ones'.
    const nested: IRequestOp = {
      request_txn: {
        compare: [{ key: Buffer.from('tx/a'), target: CompareTarget.Value, result: CompareResult.Equal, value: Buffer.from('2') }],
        success: [
          { request_put: { key: Buffer.from('tx/nested'), value: Buffer.from('inner') } },
          { request_range: { key: Buffer.from('tx/a') } },
        ],
        failure: [{ request_put: { key: Buffer.from('tx/nested'), value: Buffer.from('wrong branch') } }],
      },
    };
    const outer = await ok('a nested txn', (c) =>
      c.if('tx/a', 'Version', '==', 2).then(c.put('tx/a').value('3'), nested, c.get('tx/nested')).commit(),
    );
    expect(outer.succeeded).toBe(true);
    expect(outer.responses[1]!.response_txn.succeeded).toBe(true);
    expect(outer.responses[1]!.response_txn.responses[1]!.response_range.kvs.map(text)).toEqual([{ key: 'tx/a', value: '3' }]);
    expect(outer.responses[2]!.response_range.kvs.map(text)).toEqual([{ key: 'tx/nested', value: 'inner' }]);
    const after = await ok('state after the nested txn', (c) => c.getAll().prefix('tx/').exec());
    expect(after.kvs.map(text)).toEqual([
      { key: 'tx/a', value: '3' },
      { key: 'tx/nested', value: 'inner' },
    ]);
    // The outer txn's put and the nested put share one revision.
    expect(after.kvs.map((kv) => kv.mod_revision)).toEqual([String(start + 5), String(start + 5)]);

    const readOnly = await ok('a read-only txn', (c) => c.if('tx/a', 'Value', '==', '3').then(c.get('tx/a')).commit());
    expect(Number(readOnly.header.revision)).toBe(start + 5);
    // A range at a past revision inside a txn: read there, answered with the txn's revision.
    const pastInTxn = await ok('a txn reading a past revision', (c) => c.if('tx/a', 'Version', '>', 0).then(c.get('tx/a').revision(start + 1)).commit());
    expect(pastInTxn.responses[0]!.response_range.kvs.map(text)).toEqual([{ key: 'tx/a', value: '1' }]);
    expect(Number(pastInTxn.responses[0]!.response_range.header.revision)).toBe(start + 5);
    const pastAfterPut = await ok('a txn putting, then reading a past revision', (c) =>
      c.if('tx/a', 'Version', '>', 0).then(c.put('tx/a').value('4'), c.get('tx/a').revision(start + 1)).commit(),
    );
    expect(Number(pastAfterPut.responses[1]!.response_range.header.revision)).toBe(start + 6);

    const duplicate = await fails('a txn putting one key twice', (c) => c.if('tx/a', 'Version', '>', 0).then(c.put('tx/d').value('1'), c.put('tx/d').value('2')).commit());
    expect(duplicate.message).toContain('etcdserver: duplicate key given in txn request');
    const tooMany = await fails('a txn with 129 operations', (c) =>
      c
        .if('tx/a', 'Version', '>', 0)
        .then(...Array.from({ length: 129 }, (_, i) => c.put(`tx/many/${i}`).value('v')))
        .commit(),
    );
    expect(tooMany.message).toContain('etcdserver: too many operations in txn request');
    expect(await ok('the failed txns changed nothing', (c) => c.getAll().prefix('tx/').keys())).toEqual(['tx/a', 'tx/nested']);
  });

  it('txn request checks: empty compare keys and ops, nested op budgets, duplicate keys across nested txns, from-key deletes, size', async () => {
    const start = await ok('current revision', currentRevision);
    const put = (key: string, value: string | Buffer = 'v'): IRequestOp => ({ request_put: { key: Buffer.from(key), value: Buffer.from(value) } });
    const get = (key: string): IRequestOp => ({ request_range: { key: Buffer.from(key) } });
    const del = (key: string, rangeEnd?: string): IRequestOp => ({
      request_delete_range: { key: Buffer.from(key), ...(rangeEnd === undefined ? {} : { range_end: Buffer.from(rangeEnd) }) },
    });
    const nested = (success: IRequestOp[], failure: IRequestOp[] = []): IRequestOp => ({ request_txn: { compare: [], success, failure } });
    const txn = (c: Etcd3, success: IRequestOp[], failure: IRequestOp[] = [], compare: ICompare[] = []) => c.kv.txn({ compare, success, failure });
    const gets = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => get(`tc/${prefix}${i}`));
    const refused = async (step: string, run: (c: Etcd3) => Promise<unknown>) => (await fails(step, run)).message;

    // Empty keys and empty ops.
    const emptyCompare: ICompare = { key: Buffer.alloc(0), target: 'Version', result: 'Equal', version: '0' };
    expect(await refused('a compare on the empty key', (c) => txn(c, [put('tc/a')], [], [emptyCompare]))).toContain('etcdserver: key is not provided');
    expect(await refused('an empty request op', (c) => txn(c, [{}]))).toContain('etcdserver: key not found');
    expect(await refused('an empty op in a nested txn\'s failure branch', (c) => txn(c, [nested([], [{}])]))).toContain('etcdserver: key not found');

    // A nested txn gets the ops its parent left: 128 less the parent's largest list.
    expect(await refused('a nested txn over the ops its parent left', (c) => txn(c, [...gets(99, 'o'), nested(gets(29, 'n'))]))).toContain(
      'etcdserver: too many operations in txn request',
    );
    const within = await ok('a nested txn within the ops its parent left', (c) => txn(c, [...gets(99, 'o'), nested(gets(28, 'n'))]));
    expect(within.responses).toHaveLength(100);

    // Duplicate keys: nested txns are checked against their siblings and the parent's deletes.
    const duplicate = 'etcdserver: duplicate key given in txn request';
    expect(await refused('sibling nested txns putting one key', (c) => txn(c, [nested([put('tc/k')]), nested([put('tc/k')])]))).toContain(duplicate);
    expect(await refused('a nested success and a sibling\'s failure putting one key', (c) => txn(c, [nested([put('tc/k')]), nested([], [put('tc/k')])]))).toContain(duplicate);
    expect(await refused('a nested put in an earlier sibling\'s deleted range', (c) => txn(c, [nested([del('tc/', 'tc0')]), nested([put('tc/k')])]))).toContain(duplicate);
    expect(await refused('a nested put in the parent\'s deleted range', (c) => txn(c, [del('tc/', 'tc0'), nested([put('tc/k')])]))).toContain(duplicate);
    expect(await refused('a put in a nested txn\'s deleted range', (c) => txn(c, [nested([del('tc/', 'tc0')]), put('tc/k')]))).toContain(duplicate);
    // Allowed: the two branches of one nested txn, and (etcd checks siblings in order) a later sibling's delete.
    await ok('both branches of one nested txn putting one key', (c) => txn(c, [nested([put('tc/k', '1')], [put('tc/k', '2')])]));
    await ok('a nested put, then a sibling deleting it', (c) => txn(c, [nested([put('tc/k', '3')]), nested([del('tc/', 'tc0')])]));
    // etcd 3.4 takes a from-key delete (range_end "\0") as the interval [key, "\0"): it holds no key to collide with.
    const fromKey = await ok('a from-key delete and a put after its key', (c) => txn(c, [del('zz/a', '\0'), put('zz/b')]));
    expect(fromKey.responses.map((r) => Object.keys(r).find((k) => k.startsWith('response_')))).toEqual(['response_delete_range', 'response_put']);
    await ok('a from-key delete and a put of its own key', (c) => txn(c, [del('zz/a', '\0'), put('zz/a')]));
    await ok('a nested from-key delete and a put', (c) => txn(c, [nested([del('zz/a', '\0')]), put('zz/c')]));
    expect(await ok('what the from-key txns left', (c) => c.getAll().prefix('zz/').keys())).toEqual(['zz/c']);
    await ok('clean up zz/', (c) => c.delete().prefix('zz/').exec());

    // --max-request-bytes applies only to writes, and only once the request passed the other checks.
    const big = Buffer.alloc(1.6 * 1024 * 1024, 120);
    const largeRead = await ok('a read-only txn over the request size limit', (c) =>
      txn(c, [get('tc/k')], [get('tc/none')], [{ key: Buffer.from('tc/k'), target: 'Value', result: 'Equal', value: big }]),
    );
    expect(largeRead.succeeded).toBe(false);
    expect(await refused('a write txn over the limit', (c) => txn(c, [put('tc/big', big)]))).toContain('etcdserver: request is too large');
    expect(await refused('too many ops and too large', (c) => txn(c, [put('tc/big', big), ...gets(128, 'm')]))).toContain('etcdserver: too many operations in txn request');
    expect(await refused('a duplicate key and too large', (c) => txn(c, [put('tc/big', big), put('tc/big')]))).toContain(duplicate);
    expect(await refused('an empty key and too large', (c) => txn(c, [put('', big)]))).toContain('etcdserver: key is not provided');
    expect(await refused('a put of the empty key over the limit', (c) => c.kv.put({ key: Buffer.alloc(0), value: big }))).toContain('etcdserver: key is not provided');
    expect(await refused('a nested empty op and too large', (c) => txn(c, [put('tc/big', big), nested([{}])]))).toContain('etcdserver: key not found');

    expect(await ok('tc/ holds what the allowed txns wrote', (c) => c.getAll().prefix('tc/').keys())).toEqual([]);
    expect(await ok('the revision moved by the allowed writes only', currentRevision)).toBe(start + 6);
  });


  it('watch: live puts and deletes on a key and a prefix, with previous values and filters', async () => {
    const start = await ok('current revision', currentRevision);
    const seen = await ok('watch, write, collect', async (c) => {
      const key = await watching(c.watch().key('w/a').withPreviousKV());
      const prefix = await watching(c.watch().prefix('w/').withPreviousKV());
      const putsOnly = await watching(c.watch().prefix('w/').only('put'));
      const deletesOnly = await watching(c.watch().prefix('w/').only('delete'));
      await c.put('w/a').value('1').exec();
      await c.put('w/b').value('2').exec();
      await c.put('w/a').value('3').exec();
      await c.delete().key('w/a').exec();
      await c.put('outside').value('not watched').exec();
      await c.delete().prefix('w/').exec();
      // A last write every watch but deletesOnly sees: once it arrives, everything before it has.
      await c.put('w/a').value('end').exec();
      const ended = (events: Recorded[]) => events.some((e) => e.kv.value.toString() === 'end');
      await waitFor(() => ended(key.events) && ended(prefix.events) && ended(putsOnly.events) && deletesOnly.events.length >= 2, {
        timeoutMs: 10_000,
        what: 'every watch to see the last write',
      });
      await Promise.all([key, prefix, putsOnly, deletesOnly].map((w) => w.watcher.cancel()));
      return { key: key.events, prefix: prefix.events, putsOnly: putsOnly.events, deletesOnly: deletesOnly.events };
    });
    const show = (events: Recorded[]) =>
      events.map((e) => `${e.type} ${e.kv.key.toString()}=${e.kv.value.toString()}@${Number(e.kv.mod_revision) - start} prev=${e.prev_kv ? e.prev_kv.value.toString() : '-'}`);
    expect(show(seen.key)).toEqual(['Put w/a=1@1 prev=-', 'Put w/a=3@3 prev=1', 'Delete w/a=@4 prev=3', 'Put w/a=end@7 prev=-']);
    expect(show(seen.prefix)).toEqual([
      'Put w/a=1@1 prev=-',
      'Put w/b=2@2 prev=-',
      'Put w/a=3@3 prev=1',
      'Delete w/a=@4 prev=3',
      'Delete w/b=@6 prev=2',
      'Put w/a=end@7 prev=-',
    ]);
    // Without withPreviousKV no previous value is sent.
    expect(show(seen.putsOnly)).toEqual(['Put w/a=1@1 prev=-', 'Put w/b=2@2 prev=-', 'Put w/a=3@3 prev=-', 'Put w/a=end@7 prev=-']);
    expect(show(seen.deletesOnly)).toEqual(['Delete w/a=@4 prev=-', 'Delete w/b=@6 prev=-']);
    expect(seen.prefix[2]!.kv).toMatchObject({ create_revision: String(start + 1), version: '2' });
    expect(seen.prefix[3]!.kv).toMatchObject({ create_revision: '0', version: '0', lease: '0' });
  });

  it('watch from a past revision replays the history, then goes on live', async () => {
    const start = await ok('current revision', currentRevision);
    await ok('write the history', async (c) => {
      await c.put('h/a').value('1').exec();
      await c.put('h/b').value('2').exec();
      await c.put('h/a').value('3').exec();
      await c.delete().key('h/a').exec();
    });
    const seen = await ok('watch from the second revision', async (c) => {
      const prefix = await watching(c.watch().prefix('h/').withPreviousKV().startRevision(String(start + 2)));
      const key = await watching(c.watch().key('h/a').startRevision(String(start + 1)));
      await waitFor(() => prefix.events.length >= 3 && key.events.length >= 3, { timeoutMs: 10_000, what: 'the replayed history' });
      await c.put('h/a').value('live').exec();
      await waitFor(() => prefix.events.length >= 4 && key.events.length >= 4, { timeoutMs: 10_000, what: 'the live event' });
      await Promise.all([prefix, key].map((w) => w.watcher.cancel()));
      return { prefix: prefix.events, key: key.events };
    });
    const show = (events: Recorded[]) =>
      events.map((e) => `${e.type} ${e.kv.key.toString()}=${e.kv.value.toString()}@${Number(e.kv.mod_revision) - start} prev=${e.prev_kv ? e.prev_kv.value.toString() : '-'}`);
    expect(show(seen.prefix)).toEqual(['Put h/b=2@2 prev=-', 'Put h/a=3@3 prev=1', 'Delete h/a=@4 prev=3', 'Put h/a=live@5 prev=-']);
    expect(show(seen.key)).toEqual(['Put h/a=1@1 prev=-', 'Put h/a=3@3 prev=-', 'Delete h/a=@4 prev=-', 'Put h/a=live@5 prev=-']);
  });

  it('leases: grant, put attached, time to live, keep-alive, list, and revoke deleting the keys with delete events', async () => {
    const start = await ok('current revision', currentRevision);
    const seen = await ok('the lease lifecycle', async (c) => {
      const lease = c.lease(60);
      let keepalives = 0;
      lease.on('keepaliveSucceeded', () => keepalives++);
      const id = await lease.grant();
      const put = await lease.put('ls/a').value('1').exec();
      await lease.put('ls/b').value('2').exec();
      await c.put('ls/plain').value('no lease').exec();
      const kvs = (await c.getAll().prefix('ls/').exec()).kvs;
      const { TTL, ...ttl } = await c.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      // etcd lists a lease's keys in no particular order (from a Go map).
      ttl.keys.sort(Buffer.compare);
      const once = await lease.keepaliveOnce();
      // The lease's own keep-alive stream, started by the grant.
      await waitFor(() => keepalives > 0, { timeoutMs: 10_000, what: 'a keep-alive on the stream' });
      const leases = (await c.leaseClient.leaseLeases()).leases.map((l) => l.ID);
      const watch = await watching(c.watch().prefix('ls/').withPreviousKV());
      await lease.revoke();
      await waitFor(() => watch.events.length >= 2, { timeoutMs: 10_000, what: 'the delete events of the revoke' });
      await watch.watcher.cancel();
      const after = (await c.getAll().prefix('ls/').exec()).kvs;
      const gone = await c.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      return { id, put, kvs, ttl, _remaining: Number(TTL), once, leases, events: watch.events, after, gone, state: lease.state };
    });
    expect(seen.id).toMatch(/^[1-9]\d*$/);
    expect(Number(seen.put.header.revision)).toBe(start + 1);
    expect(seen.kvs.map((kv) => [kv.key.toString(), kv.lease])).toEqual([
      ['ls/a', seen.id],
      ['ls/b', seen.id],
      ['ls/plain', '0'],
    ]);
    expect(seen.ttl).toMatchObject({ ID: seen.id, grantedTTL: '60' });
    expect(seen.ttl.keys.map(String)).toEqual(['ls/a', 'ls/b']);
    expect(seen._remaining).toBeGreaterThanOrEqual(55);
    expect(seen._remaining).toBeLessThanOrEqual(60);
    expect(seen.once).toMatchObject({ ID: seen.id, TTL: '60' });
    expect(seen.leases).toEqual([seen.id]);
    expect(seen.events.map((e) => [e.type, e.kv.key.toString(), Number(e.kv.mod_revision) - start, e.prev_kv?.value.toString()])).toEqual([
      ['Delete', 'ls/a', 4, '1'],
      ['Delete', 'ls/b', 4, '2'],
    ]);
    expect(seen.after.map((kv) => kv.key.toString())).toEqual(['ls/plain']);
    expect(seen.gone).toMatchObject({ TTL: '-1', grantedTTL: '0', keys: [] });
  });

  it('leases expire: the keys go, with delete events, and the lease is unknown after', async () => {
    const start = await ok('current revision', currentRevision);
    const seen = await ok('a 1 s lease left to expire', async (c) => {
      const lease = c.lease(1, { autoKeepAlive: false });
      const lost: Error[] = [];
      lease.on('lost', (error) => lost.push(error));
      const id = await lease.grant();
      const granted = Date.now();
      const { TTL, ...ttl } = await c.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      await lease.put('exp/a').value('soon gone').exec();
      const watch = await watching(c.watch().prefix('exp/').withPreviousKV());
      const before = await c.get('exp/a').string();
      await waitFor(async () => (await c.get('exp/a').exists()) === false, { timeoutMs: 15_000, what: 'the leased key to expire' });
      const lived = Date.now() - granted;
      await waitFor(() => watch.events.length >= 1, { timeoutMs: 10_000, what: 'the delete event of the expiry' });
      await watch.watcher.cancel();
      const after = await c.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      const keepalive = await settle(lease.keepaliveOnce());
      const reuse = await settle(c.put('exp/b').value('x').lease(id).exec());
      return { ttl, _remaining: Number(TTL), before, _lived: lived, events: watch.events, after, keepalive, reuse, lost: lost.map((e) => e.constructor.name) };
    });
    // etcd's shortest lease is 2 s (1.5 election timeouts); a 1 s request is granted that.
    expect(seen.ttl).toMatchObject({ grantedTTL: '2', keys: [] });
    expect(seen._remaining).toBeGreaterThanOrEqual(1);
    expect(seen.before).toBe('soon gone');
    expect(seen._lived).toBeGreaterThanOrEqual(1_500);
    expect(seen.events.map((e) => [e.type, e.kv.key.toString(), Number(e.kv.mod_revision) - start, e.prev_kv?.value.toString()])).toEqual([
      ['Delete', 'exp/a', 2, 'soon gone'],
    ]);
    expect(seen.after).toMatchObject({ TTL: '-1', grantedTTL: '0' });
    expect(seen.keepalive).toMatchObject({ ok: false, error: { type: 'EtcdLeaseInvalidError' } });
    expect(seen.reuse).toMatchObject({ ok: false, error: { type: 'EtcdLeaseInvalidError' } });
    expect(!seen.reuse.ok && seen.reuse.error.message).toContain('etcdserver: requested lease not found');
    expect(seen.lost).toEqual(['EtcdLeaseInvalidError']);
  });

  it('compaction: reads and watches below it fail with etcd\'s errors, reads at or above it work', async () => {
    const start = await ok('current revision', currentRevision);
    await ok('write four versions', async (c) => {
      for (const v of ['v1', 'v2', 'v3', 'v4']) await c.put('cp/a').value(v).exec();
    });
    const compacted = await ok('compact at the third', (c) => c.kv.compact({ revision: String(start + 3), physical: true }));
    expect(Number(compacted.header.revision)).toBe(start + 4);

    const below = await fails('get below the compaction', (c) => c.get('cp/a').revision(start + 2).exec());
    expect(below.message).toContain('etcdserver: mvcc: required revision has been compacted');
    const belowAll = await fails('getAll below the compaction', (c) => c.getAll().prefix('cp/').revision(start + 1).strings());
    expect(belowAll.message).toContain('etcdserver: mvcc: required revision has been compacted');
    const inTxn = await fails('a txn reading below the compaction', (c) =>
      c.if('cp/a', 'Version', '>', 0).then(c.get('cp/a').revision(start + 2)).commit(),
    );
    expect(inTxn.message).toContain('etcdserver: mvcc: required revision has been compacted');
    expect(await ok('get at the compaction', (c) => c.get('cp/a').revision(start + 3).string())).toBe('v3');
    expect(await ok('get now', (c) => c.get('cp/a').string())).toBe('v4');
    const kv = (await ok('the key keeps its history numbers', (c) => c.get('cp/a').exec())).kvs[0]!;
    expect(kv).toMatchObject({ create_revision: String(start + 1), mod_revision: String(start + 4), version: '4' });

    const again = await fails('compact at the same revision again', (c) => c.kv.compact({ revision: String(start + 3) }));
    expect(again.message).toContain('etcdserver: mvcc: required revision has been compacted');
    const future = await fails('compact in the future', (c) => c.kv.compact({ revision: String(start + 100) }));
    expect(future.message).toContain('etcdserver: mvcc: required revision is a future revision');

    // A watch from below the compaction: created, then canceled with the compact revision.
    const raw = await ok('a raw watch from below the compaction', async (c) => {
      const stream = await c.watchClient.watch();
      const responses: Array<Record<string, unknown>> = [];
      stream.on('data', (r) => responses.push({ ...r, events: r.events.length }));
      stream.on('error', () => undefined);
      stream.write({ create_request: { key: Buffer.from('cp/a'), start_revision: String(start + 2) } });
      await waitFor(() => responses.some((r) => r['canceled']), { timeoutMs: 10_000, what: 'the watch to be canceled' });
      stream.end();
      return responses;
    });
    expect(raw).toHaveLength(2);
    expect(raw[0]).toMatchObject({ created: true, canceled: false, watch_id: '0' });
    expect(raw[1]).toMatchObject({ created: false, canceled: true, watch_id: '0', compact_revision: String(start + 3), events: 0 });
    const viaClient = await ok('an etcd3 watcher from below the compaction', async (c) => {
      const watcher = c.watch().key('cp/a').startRevision(String(start + 1)).watcher();
      const errors: Error[] = [];
      watcher.on('error', (error) => errors.push(error));
      await waitFor(() => errors.length > 0, { timeoutMs: 10_000, what: 'the watcher to fail' });
      return errors.map((e) => e.constructor.name);
    });
    expect(viaClient).toEqual(['EtcdError']);
    // Watching from the compaction revision itself works.
    const from = await ok('a watch from the compaction revision', async (c) => {
      const w = await watching(c.watch().key('cp/a').startRevision(String(start + 3)));
      await waitFor(() => w.events.length >= 2, { timeoutMs: 10_000, what: 'the two retained revisions' });
      await w.watcher.cancel();
      return w.events.map((e) => e.kv.value.toString());
    });
    expect(from).toEqual(['v3', 'v4']);
  });

  it('errors: unknown leases, bad revisions, bad requests; none changes anything', async () => {
    const start = await ok('current revision', currentRevision);
    const unknown = await fails('put with an unknown lease', (c) => c.put('err/a').value('v').lease('1234').exec());
    expect(unknown.type).toBe('EtcdLeaseInvalidError');
    expect(unknown.message).toContain('etcdserver: requested lease not found');
    const inTxn = await fails('a txn putting with an unknown lease', (c) => c.if('err/a', 'Version', '==', 0).then(c.put('err/a').value('v').lease('1234')).commit());
    expect(inTxn.message).toContain('etcdserver: requested lease not found');
    const revoke = await fails('revoke an unknown lease', (c) => c.leaseClient.leaseRevoke({ ID: '1234' }));
    expect(revoke.message).toContain('etcdserver: requested lease not found');
    const ttl = await ok('time to live of an unknown lease', (c) => c.leaseClient.leaseTimeToLive({ ID: '1234' }));
    expect(ttl).toMatchObject({ ID: '1234', TTL: '-1' });
    const keepalive = await ok('keep-alive of an unknown lease, on the raw stream', async (c) => {
      const stream = await c.leaseClient.leaseKeepAlive();
      stream.on('error', () => undefined);
      const answer = new Promise<unknown>((resolve) => stream.on('data', resolve));
      stream.write({ ID: '1234' });
      const res = await answer;
      stream.end();
      return res;
    });
    expect(keepalive).toMatchObject({ ID: '1234', TTL: '0' });

    const granted = await ok('grant a lease with a chosen ID', (c) => c.leaseClient.leaseGrant({ ID: '777', TTL: 30 }));
    expect(granted).toMatchObject({ ID: '777', TTL: '30', error: '' });
    const exists = await fails('grant it again', (c) => c.leaseClient.leaseGrant({ ID: '777', TTL: 30 }));
    expect(exists.message).toContain('etcdserver: lease already exists');
    await ok('revoke it', (c) => c.leaseClient.leaseRevoke({ ID: '777' }));
    const tooLong = await fails('a lease TTL too large', (c) => c.leaseClient.leaseGrant({ TTL: 9_000_000_001 }));
    expect(tooLong.message).toContain('etcdserver: too large lease TTL');

    const future = await fails('get a future revision', (c) => c.get('err/a').revision(start + 1000).exec());
    expect(future.message).toContain('etcdserver: mvcc: required revision is a future revision');
    const emptyKey = await fails('get the empty key', (c) => c.get('').exec());
    expect(emptyKey.message).toContain('etcdserver: key is not provided');
    const emptyPut = await fails('put the empty key', (c) => c.put('').value('v').exec());
    expect(emptyPut.message).toContain('etcdserver: key is not provided');
    const ignoreValue = await fails('put ignoring the value of a missing key', (c) => c.kv.put({ key: Buffer.from('err/a'), ignore_value: true }));
    expect(ignoreValue.message).toContain('etcdserver: key not found');
    const tooLarge = await fails('put a value over the request limit', (c) => c.put('err/big').value(Buffer.alloc(1.6 * 1024 * 1024, 120)).exec());
    expect(tooLarge.message).toContain('etcdserver: request is too large');

    expect(await ok('nothing was written', currentRevision)).toBe(start);
    expect(await ok('no key under err/', (c) => c.getAll().prefix('err/').count())).toBe(0);
    expect(await ok('no lease left', async (c) => (await c.leaseClient.leaseLeases()).leases)).toEqual([]);
  });
});
