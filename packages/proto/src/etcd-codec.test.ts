import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { etcdCodecs, type EtcdMessageName, type EtcdMessageCodec } from './etcd-codec';
import { ETCD_PROTO_OPTIONS, etcdServiceDefinitions } from './etcd';

/**
 * Differential test: the hand-written codec against @grpc/proto-loader's, which it replaces and
 * must match exactly. Random messages (seeded, so a failure repeats) go through both:
 *
 * - objects as callers write them (numbers or strings for int64, enum names or numbers, missing
 *   fields, unknown properties) are encoded by each codec and decoded by the other;
 * - random wire bytes (fields in any order, repeated, unknown fields of every wire type, several
 *   members of a oneof, packed and unpacked lists, ten-byte negative varints) are decoded by both.
 *
 * Equal means the same values, the same types (Buffer, string, null) and the same key order.
 */

const loaded = protoLoader.loadSync('rpc.proto', ETCD_PROTO_OPTIONS);

/** proto-loader's codec for one message, taken from the method that carries it. */
function reference(name: EtcdMessageName): EtcdMessageCodec {
  const methods: Record<EtcdMessageName, [string, string, 'request' | 'response']> = {
    RangeRequest: ['KV', 'Range', 'request'],
    RangeResponse: ['KV', 'Range', 'response'],
    PutRequest: ['KV', 'Put', 'request'],
    PutResponse: ['KV', 'Put', 'response'],
    DeleteRangeRequest: ['KV', 'DeleteRange', 'request'],
    DeleteRangeResponse: ['KV', 'DeleteRange', 'response'],
    TxnRequest: ['KV', 'Txn', 'request'],
    TxnResponse: ['KV', 'Txn', 'response'],
    WatchRequest: ['Watch', 'Watch', 'request'],
    WatchResponse: ['Watch', 'Watch', 'response'],
  };
  const [service, method, side] = methods[name];
  const definition = (loaded[`etcdserverpb.${service}`] as unknown as Record<string, Record<string, (x: never) => never>>)[method]!;
  return {
    serialize: definition[`${side}Serialize`] as unknown as EtcdMessageCodec['serialize'],
    deserialize: definition[`${side}Deserialize`] as unknown as EtcdMessageCodec['deserialize'],
  };
}

// ---- the schema the generators walk (field numbers and types from proto/etcd/*.proto) ----

type Kind = 'int64' | 'uint64' | 'bytes' | 'bool' | 'string' | { enum: string[] } | { message: string };
interface Field {
  name: string;
  number: number;
  kind: Kind;
  repeated?: boolean;
  oneof?: string;
}

const f = (name: string, number: number, kind: Kind, extra: Partial<Field> = {}): Field => ({ name, number, kind, ...extra });
const msg = (message: string) => ({ message });

const SCHEMA: Record<string, Field[]> = {
  ResponseHeader: [f('cluster_id', 1, 'uint64'), f('member_id', 2, 'uint64'), f('revision', 3, 'int64'), f('raft_term', 4, 'uint64')],
  KeyValue: [f('key', 1, 'bytes'), f('create_revision', 2, 'int64'), f('mod_revision', 3, 'int64'), f('version', 4, 'int64'), f('value', 5, 'bytes'), f('lease', 6, 'int64')],
  Event: [f('type', 1, { enum: ['PUT', 'DELETE'] }), f('kv', 2, msg('KeyValue')), f('prev_kv', 3, msg('KeyValue'))],
  RangeRequest: [
    f('key', 1, 'bytes'), f('range_end', 2, 'bytes'), f('limit', 3, 'int64'), f('revision', 4, 'int64'),
    f('sort_order', 5, { enum: ['NONE', 'ASCEND', 'DESCEND'] }), f('sort_target', 6, { enum: ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'] }),
    f('serializable', 7, 'bool'), f('keys_only', 8, 'bool'), f('count_only', 9, 'bool'),
    f('min_mod_revision', 10, 'int64'), f('max_mod_revision', 11, 'int64'), f('min_create_revision', 12, 'int64'), f('max_create_revision', 13, 'int64'),
  ],
  RangeResponse: [f('header', 1, msg('ResponseHeader')), f('kvs', 2, msg('KeyValue'), { repeated: true }), f('more', 3, 'bool'), f('count', 4, 'int64')],
  PutRequest: [f('key', 1, 'bytes'), f('value', 2, 'bytes'), f('lease', 3, 'int64'), f('prev_kv', 4, 'bool'), f('ignore_value', 5, 'bool'), f('ignore_lease', 6, 'bool')],
  PutResponse: [f('header', 1, msg('ResponseHeader')), f('prev_kv', 2, msg('KeyValue'))],
  DeleteRangeRequest: [f('key', 1, 'bytes'), f('range_end', 2, 'bytes'), f('prev_kv', 3, 'bool')],
  DeleteRangeResponse: [f('header', 1, msg('ResponseHeader')), f('deleted', 2, 'int64'), f('prev_kvs', 3, msg('KeyValue'), { repeated: true })],
  RequestOp: [
    f('request_range', 1, msg('RangeRequest'), { oneof: 'request' }), f('request_put', 2, msg('PutRequest'), { oneof: 'request' }),
    f('request_delete_range', 3, msg('DeleteRangeRequest'), { oneof: 'request' }), f('request_txn', 4, msg('TxnRequest'), { oneof: 'request' }),
  ],
  ResponseOp: [
    f('response_range', 1, msg('RangeResponse'), { oneof: 'response' }), f('response_put', 2, msg('PutResponse'), { oneof: 'response' }),
    f('response_delete_range', 3, msg('DeleteRangeResponse'), { oneof: 'response' }), f('response_txn', 4, msg('TxnResponse'), { oneof: 'response' }),
  ],
  Compare: [
    f('result', 1, { enum: ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'] }), f('target', 2, { enum: ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'] }), f('key', 3, 'bytes'),
    f('version', 4, 'int64', { oneof: 'target_union' }), f('create_revision', 5, 'int64', { oneof: 'target_union' }), f('mod_revision', 6, 'int64', { oneof: 'target_union' }),
    f('value', 7, 'bytes', { oneof: 'target_union' }), f('lease', 8, 'int64', { oneof: 'target_union' }), f('range_end', 64, 'bytes'),
  ],
  TxnRequest: [f('compare', 1, msg('Compare'), { repeated: true }), f('success', 2, msg('RequestOp'), { repeated: true }), f('failure', 3, msg('RequestOp'), { repeated: true })],
  TxnResponse: [f('header', 1, msg('ResponseHeader')), f('succeeded', 2, 'bool'), f('responses', 3, msg('ResponseOp'), { repeated: true })],
  WatchRequest: [
    f('create_request', 1, msg('WatchCreateRequest'), { oneof: 'request_union' }), f('cancel_request', 2, msg('WatchCancelRequest'), { oneof: 'request_union' }),
    f('progress_request', 3, msg('WatchProgressRequest'), { oneof: 'request_union' }),
  ],
  WatchCreateRequest: [
    f('key', 1, 'bytes'), f('range_end', 2, 'bytes'), f('start_revision', 3, 'int64'), f('progress_notify', 4, 'bool'),
    f('filters', 5, { enum: ['NOPUT', 'NODELETE'] }, { repeated: true }), f('prev_kv', 6, 'bool'), f('watch_id', 7, 'int64'), f('fragment', 8, 'bool'),
  ],
  WatchCancelRequest: [f('watch_id', 1, 'int64')],
  WatchProgressRequest: [],
  WatchResponse: [
    f('header', 1, msg('ResponseHeader')), f('watch_id', 2, 'int64'), f('created', 3, 'bool'), f('canceled', 4, 'bool'), f('compact_revision', 5, 'int64'),
    f('cancel_reason', 6, 'string'), f('fragment', 7, 'bool'), f('events', 11, msg('Event'), { repeated: true }),
  ],
};

const MESSAGES = Object.keys(etcdCodecs) as EtcdMessageName[];

// ---- a seeded random source ----

class Random {
  constructor(private state: number) {}
  /** mulberry32 */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  bigint64(): bigint {
    return (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
  }
  bytes(): Buffer {
    const length = this.chance(0.03) ? 100 + this.int(3000) : this.int(40);
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

const INT64_EDGES = ['0', '1', '127', '128', '16383', '16384', '2147483647', '2147483648', '4294967295', '4294967296', '9007199254740991', '9007199254740992', '9223372036854775807', '-1', '-2147483648', '-4294967296', '-4294967297', '-9007199254740993', '-9223372036854775808'];
const UINT64_EDGES = ['0', '1', '4294967296', '9223372036854775807', '9223372036854775808', '18446744073709551615', '12345678901234567890'];

/** An int64 value in one of the forms callers use: a number, a decimal string, a Long-like object. */
function int64Input(random: Random, unsigned: boolean): unknown {
  const text = random.chance(0.5) ? random.pick(unsigned ? UINT64_EDGES : INT64_EDGES) : String(unsigned ? BigInt.asUintN(64, random.bigint64() >> BigInt(random.int(64))) : BigInt.asIntN(64, random.bigint64()) >> BigInt(random.int(64)));
  switch (random.int(6)) {
    case 0: // as a number: exact below 2^53, rounded (and clamped by the type) above
      return Number(text);
    case 1:
      return random.pick([0, 1, 5, 1.5, -1.5, -7, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, -(2 ** 70), Infinity, -Infinity, NaN]);
    case 2: {
      const bits = BigInt.asUintN(64, BigInt(text));
      return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned };
    }
    default:
      return text;
  }
}

function enumInput(random: Random, names: string[]): unknown {
  switch (random.int(8)) {
    case 0:
      return random.int(names.length);
    case 1:
      return 7 + random.int(20); // a number the .proto does not name
    case 2:
      return random.chance(0.5) ? 'NO_SUCH_NAME' : -3;
    default:
      return random.pick(names);
  }
}

function scalarInput(random: Random, kind: Exclude<Kind, { message: string } | { enum: string[] }>): unknown {
  switch (kind) {
    case 'int64':
    case 'uint64':
      return int64Input(random, kind === 'uint64');
    case 'bytes': {
      const bytes = random.bytes();
      const form = random.int(10);
      if (form === 0) return bytes.toString('base64');
      if (form === 1) return new Uint8Array(bytes);
      if (form === 2) return [...bytes.subarray(0, 5)];
      return bytes;
    }
    case 'bool':
      return random.chance(0.1) ? random.pick([0, 1, '', 'yes']) : random.chance(0.5);
    case 'string':
      return random.pick(['', 'mvcc: required revision has been compacted', 'ünïcødé ✓ 𝄞', 'x'.repeat(200)]);
  }
}

/** A message object as a caller might write it: any field may be missing, null, or in another accepted form. */
function objectInput(random: Random, type: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = SCHEMA[type]!;
  const oneofs = new Map<string, Field[]>();
  for (const field of fields) {
    if (field.oneof) {
      oneofs.set(field.oneof, [...(oneofs.get(field.oneof) ?? []), field]);
      continue;
    }
    if (random.chance(0.3)) continue;
    if (random.chance(0.05)) {
      out[field.name] = random.chance(0.5) ? null : undefined;
      continue;
    }
    out[field.name] = field.repeated ? listInput(random, field, depth) : valueInput(random, field, depth);
  }
  for (const [oneof, members] of oneofs) {
    // Usually one member; sometimes none, sometimes two (both are encoded, the last one wins).
    const count = random.chance(0.1) ? 0 : random.chance(0.1) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const member = random.pick(members);
      out[member.name] = valueInput(random, member, depth);
      if (random.chance(0.3)) out[oneof] = member.name; // proto-loader's virtual field: ignored on input
    }
  }
  if (random.chance(0.1)) out.not_a_field = 'ignored';
  return out;
}

function valueInput(random: Random, field: Field, depth: number): unknown {
  const kind = field.kind;
  if (typeof kind === 'object' && 'message' in kind) {
    if (depth > 3 || random.chance(0.1)) return random.chance(0.5) ? {} : null;
    return objectInput(random, kind.message, depth + 1);
  }
  if (typeof kind === 'object') return enumInput(random, kind.enum);
  return scalarInput(random, kind);
}

function listInput(random: Random, field: Field, depth: number): unknown {
  if (random.chance(0.1)) return random.pick([null, undefined, []]);
  const length = depth > 2 ? random.int(2) : random.int(4);
  const list: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const kind = field.kind;
    list.push(typeof kind === 'object' && 'message' in kind ? objectInput(random, kind.message, depth + 1) : valueInput(random, field, depth));
  }
  return list;
}

// ---- random wire bytes ----

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/**
 * A varint, sometimes padded with redundant continuation bytes (legal, if not canonical). Fields
 * read as 32-bit (bools, enums, lengths) stay within 5 bytes unless they are ten-byte negatives:
 * protobufjs reads a 6 to 9 byte one wrongly, and no encoder writes one.
 */
function looseVarint(random: Random, value: bigint, maxLength = 10): number[] {
  const out = varint(value);
  if (out.length < Math.min(maxLength, 9) && random.chance(0.05)) {
    out[out.length - 1]! |= 0x80;
    out.push(0);
  }
  return out;
}

function tag(number: number, wireType: number): number[] {
  return varint(BigInt(number) * 8n + BigInt(wireType));
}

function delimited(random: Random, body: number[]): number[] {
  return [...looseVarint(random, BigInt(body.length), 5), ...body];
}

function int64Wire(random: Random): bigint {
  if (random.chance(0.4)) return BigInt(random.pick([...INT64_EDGES, ...UINT64_EDGES]));
  return random.bigint64() >> BigInt(random.int(64));
}

/**
 * A field no hot message has (etcd's newer fields arrive like this). Its number must not be a known
 * field's: protobufjs reads a known field by its declared type whatever the wire type says.
 */
function unknownField(random: Random, depth = 0): number[] {
  const number = random.pick([14, 15, 99, 2047, 2048, 65535, 536870911]);
  switch (random.int(depth > 1 ? 4 : 5)) {
    case 0:
      return [...tag(number, 0), ...varint(int64Wire(random))];
    case 1:
      return [...tag(number, 1), ...random.bytes().subarray(0, 0), 1, 2, 3, 4, 5, 6, 7, 8];
    case 2:
      return [...tag(number, 2), ...delimited(random, [...random.bytes()])];
    case 3:
      return [...tag(number, 5), 9, 8, 7, 6];
    default: // a group, with fields inside
      return [...tag(number, 3), ...unknownField(random, depth + 1), ...unknownField(random, depth + 1), ...tag(number, 4)];
  }
}

/** A message's bytes: known fields in any order, any may repeat, unknown fields anywhere. */
function wireMessage(random: Random, type: string, depth: number): number[] {
  const parts: number[][] = [];
  for (const field of SCHEMA[type]!) {
    const times = field.repeated
      ? random.int(depth > 1 ? 2 : 4)
      : field.oneof // usually one member of a oneof, now and then none or two
        ? random.chance(1 / 3) ? 1 : random.chance(0.05) ? 2 : 0
        : random.chance(0.6) ? 1 : random.chance(0.2) ? 2 : 0;
    for (let i = 0; i < times; i++) parts.push(wireField(random, field, depth));
  }
  const unknown = random.chance(0.3) ? 1 + random.int(3) : 0;
  for (let i = 0; i < unknown; i++) parts.push(unknownField(random));
  // Shuffle: a decoder must not depend on field order.
  if (random.chance(0.3)) {
    for (let i = parts.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
  }
  return parts.flat();
}

function wireField(random: Random, field: Field, depth: number): number[] {
  const kind = field.kind;
  if (typeof kind === 'object' && 'message' in kind) {
    const body = depth > 3 ? [] : wireMessage(random, kind.message, depth + 1);
    return [...tag(field.number, 2), ...delimited(random, body)];
  }
  if (typeof kind === 'object') {
    const value = () => (random.chance(0.2) ? BigInt(random.pick([-1, -2147483648, 7, 300, 2 ** 32 + 1])) : BigInt(random.int(kind.enum.length)));
    if (field.repeated && random.chance(0.5)) {
      const body: number[] = [];
      for (let i = random.int(4); i >= 0; i--) body.push(...varint(value()));
      return [...tag(field.number, 2), ...delimited(random, body)];
    }
    return [...tag(field.number, 0), ...looseVarint(random, value(), 5)];
  }
  switch (kind) {
    case 'int64':
    case 'uint64':
      return [...tag(field.number, 0), ...looseVarint(random, int64Wire(random))];
    case 'bool':
      return [...tag(field.number, 0), ...looseVarint(random, BigInt(random.pick([0, 1, 1, 2, 2 ** 32, 2 ** 34, 2 ** 35 - 1])), 5)];
    case 'bytes':
      return [...tag(field.number, 2), ...delimited(random, [...random.bytes()])];
    case 'string':
      return [...tag(field.number, 2), ...delimited(random, [...Buffer.from(random.pick(['', 'compacted', 'ünïcødé 𝄞', '\u00ff\u0000x']))])];
  }
}

// ---- comparison: same values, same types, same key order ----

function expectSame(actual: unknown, expected: unknown, what: string): void {
  expect(actual, what).toStrictEqual(expected);
  expect(keyOrder(actual), `${what}: key order`).toEqual(keyOrder(expected));
}

function keyOrder(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) return value.map(keyOrder);
  return Object.entries(value).map(([key, field]) => [key, keyOrder(field)]);
}

function outcome(run: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: run() };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

const CASES = 250;

describe('etcd codec against proto-loader', () => {
  describe.each(MESSAGES)('%s', (name) => {
    const ours = etcdCodecs[name];
    const theirs = reference(name);

    it('encodes what callers write as proto-loader does, each side reading the other', () => {
      const random = new Random(0x5eed + name.length * 7919 + name.charCodeAt(0));
      for (let i = 0; i < CASES; i++) {
        const input = objectInput(random, name, 0);
        const what = `${name} #${i}: ${JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 300)}`;
        const expected = theirs.deserialize(theirs.serialize(input));
        const bytes = ours.serialize(input);
        expectSame(theirs.deserialize(bytes), expected, `${what}: ours encoded, proto-loader decoded`);
        expectSame(ours.deserialize(theirs.serialize(input)), expected, `${what}: proto-loader encoded, ours decoded`);
        expectSame(ours.deserialize(bytes), expected, `${what}: ours both ways`);
        // proto-loader's own output is a valid input too (a proxy re-sending what it received).
        expectSame(theirs.deserialize(ours.serialize(expected)), expected, `${what}: decoded object re-encoded`);
      }
    });

    it('decodes any wire bytes as proto-loader does', () => {
      const random = new Random(0xb17e5 + name.length * 104729 + name.charCodeAt(1));
      for (let i = 0; i < CASES; i++) {
        const bytes = Buffer.from(wireMessage(random, name, 0));
        expectSame(ours.deserialize(bytes), theirs.deserialize(bytes), `${name} #${i}: ${bytes.toString('hex').slice(0, 200)}`);
      }
    });

    it('refuses truncated bytes where proto-loader does', () => {
      const random = new Random(0x7a11 + name.length);
      let refused = 0;
      for (let i = 0; i < CASES / 4; i++) {
        const bytes = Buffer.from(wireMessage(random, name, 0));
        if (bytes.length < 2) continue;
        const cut = bytes.subarray(0, 1 + random.int(bytes.length - 1));
        const expected = outcome(() => theirs.deserialize(cut));
        const actual = outcome(() => ours.deserialize(cut));
        if (expected.error) {
          refused++;
          expect(actual.error, `${name} #${i}: ${cut.toString('hex').slice(0, 200)}`).toBeDefined();
        }
      }
      expect(refused).toBeGreaterThan(0);
    });
  });

  it('keeps int64 exact across the whole range, including negatives and 2^63-1', () => {
    const codec = etcdCodecs.WatchResponse;
    for (const value of ['9223372036854775807', '-9223372036854775808', '-1', '9007199254740993', '-4294967297', '4294967296']) {
      const decoded = codec.deserialize(codec.serialize({ watch_id: value, compact_revision: value, header: { revision: value, member_id: value } }));
      expect(decoded.watch_id).toBe(value);
      expect(decoded.compact_revision).toBe(value);
      expect((decoded.header as { revision: string }).revision).toBe(value);
      expect((decoded.header as { member_id: string }).member_id).toBe(BigInt.asUintN(64, BigInt(value)).toString());
    }
  });

  it('writes a oneof member set to its default, so the member is not lost', () => {
    const request = etcdCodecs.TxnRequest.deserialize(
      etcdCodecs.TxnRequest.serialize({
        compare: [{ key: Buffer.from('k'), target: 'CREATE', result: 'EQUAL', create_revision: 0 }],
        success: [{ request_put: {} }],
        failure: [{ request_range: { key: Buffer.from('k') } }],
      }),
    );
    expect(request.compare).toStrictEqual([{ result: 'EQUAL', target: 'CREATE', key: Buffer.from('k'), range_end: Buffer.alloc(0), create_revision: '0', target_union: 'create_revision' }]);
    expect((request.success as Array<{ request: string }>)[0]!.request).toBe('request_put');
    expect(etcdCodecs.WatchRequest.deserialize(etcdCodecs.WatchRequest.serialize({ progress_request: {} }))).toStrictEqual({ progress_request: {}, request_union: 'progress_request' });
  });

  it('refuses what proto-loader refuses: a message field that is not an object, a list that is not an array, nesting past 100', () => {
    for (const [name, input] of [
      ['RangeResponse', { header: 'x' }],
      ['RangeResponse', { kvs: {} }],
      ['RangeResponse', { kvs: [null] }],
      ['WatchRequest', { create_request: 5 }],
      ['WatchRequest', { create_request: { filters: 'NOPUT' } }],
    ] as const) {
      expect(() => reference(name).serialize(input), `${name} ${JSON.stringify(input)} (proto-loader)`).toThrow(TypeError);
      expect(() => etcdCodecs[name].serialize(input), `${name} ${JSON.stringify(input)}`).toThrow(TypeError);
    }
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) deep = { success: [{ request_txn: deep }] };
    expect(() => etcdCodecs.TxnRequest.serialize(deep)).toThrow(/nesting/);
  });

  it('is plugged into the hot methods of the service definitions, and only those', () => {
    const services = etcdServiceDefinitions();
    expect(services.KV.Range!.requestDeserialize).toBe(etcdCodecs.RangeRequest.deserialize);
    expect(services.KV.Txn!.responseSerialize).toBe(etcdCodecs.TxnResponse.serialize);
    expect(services.Watch.Watch!.responseSerialize).toBe(etcdCodecs.WatchResponse.serialize);
    expect(services.Watch.Watch!.requestSerialize).toBe(etcdCodecs.WatchRequest.serialize);
    const ours = new Set(Object.values(etcdCodecs).flatMap((codec) => [codec.serialize, codec.deserialize]));
    expect(ours.has(services.KV.Compact!.requestSerialize as never)).toBe(false);
    expect(services.KV.Compact!.responseDeserialize(services.KV.Compact!.responseSerialize({ header: { revision: 7 } }))).toStrictEqual({ header: { cluster_id: '0', member_id: '0', revision: '7', raft_term: '0' } });
    expect(services.KV.Range!.path).toBe('/etcdserverpb.KV/Range');
  });
});
