import { RECURSION_LIMIT, WireWriter, long, toLong, varint32Size, varint64Size } from './protobuf-wire';

/**
 * Encoders for the etcd messages on the hot path. They take what @grpc/proto-loader's serializer
 * takes (protobufjs fromObject): int64 as numbers, decimal strings or Long-like objects; enums by
 * name or number; bytes as Buffers (or base64 strings); a oneof by whichever member is set; fields
 * missing or null left out; unknown properties ignored; a message field that is not an object, or a
 * repeated field that is not an array, refused with the TypeError protobufjs throws.
 *
 * Scalars equal to their default are left off the wire (proto3's canonical form); oneof members and
 * nested messages are written whenever set, as their presence is the meaning (a Compare on
 * create_revision 0, an empty progress request).
 *
 * Each message is encoded in two passes over the same fields: the first measures (recording every
 * nested message's size, in order), the second writes into a buffer of exactly that size.
 */

type Input = Record<string, unknown>;
type Sizer = (message: Input, depth: number) => number;
type Writer = (w: WireWriter, message: Input) => void;

/** Nested message sizes from the measuring pass, in the order the writing pass meets them. */
const sizes: number[] = [];
let nextSize = 0;

/** Encodes one top-level message. */
export function encodeMessage(message: unknown, name: string, size: Sizer, write: Writer): Buffer {
  if (!isObject(message)) throw new TypeError(`${name}: object expected`);
  sizes.length = 0;
  nextSize = 0;
  const w = new WireWriter(size(message, 0));
  write(w, message);
  return w.finish();
}

function isObject(value: unknown): value is Input {
  return typeof value === 'object' && value !== null;
}

// ---- field helpers: the measuring half, then the writing half ----

/** A bytes field's value as protobufjs takes it: a Uint8Array, a base64 string, or an array of bytes. */
function bytesOf(value: unknown): Uint8Array | undefined {
  if (value == null) return undefined;
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  if (((value as { length?: number }).length as number) >= 0) return Buffer.from(value as ArrayLike<number>);
  return undefined;
}

function bytesSize(value: unknown, tagSize = 1): number {
  const bytes = bytesOf(value);
  if (!bytes || bytes.length === 0) return 0;
  return tagSize + varint32Size(bytes.length) + bytes.length;
}

function writeBytes(w: WireWriter, tag: number, value: unknown): void {
  const bytes = bytesOf(value);
  if (!bytes || bytes.length === 0) return;
  w.varint32(tag);
  w.bytes(bytes);
}

/** A oneof member of type bytes: written when set, even empty. */
function bytesMemberSize(value: unknown): number {
  const bytes = bytesOf(value);
  return bytes ? 1 + varint32Size(bytes.length) + bytes.length : 0;
}

function writeBytesMember(w: WireWriter, tag: number, value: unknown): void {
  const bytes = bytesOf(value);
  if (!bytes) return;
  w.varint32(tag);
  w.bytes(bytes);
}

function int64Size(value: unknown, unsigned = false): number {
  if (value == null) return 0;
  toLong(value, unsigned);
  return long.lo === 0 && long.hi === 0 ? 0 : 1 + varint64Size(long.lo, long.hi);
}

function writeInt64(w: WireWriter, tag: number, value: unknown, unsigned = false): void {
  if (value == null) return;
  toLong(value, unsigned);
  if (long.lo === 0 && long.hi === 0) return;
  w.varint32(tag);
  w.varint64(long.lo, long.hi);
}

/** A oneof member of type int64: written when set, even zero. */
function int64MemberSize(value: unknown): number {
  if (value == null) return 0;
  toLong(value, false);
  return 1 + varint64Size(long.lo, long.hi);
}

function writeInt64Member(w: WireWriter, tag: number, value: unknown): void {
  if (value == null) return;
  toLong(value, false);
  w.varint32(tag);
  w.varint64(long.lo, long.hi);
}

function boolSize(value: unknown): number {
  return value != null && Boolean(value) ? 2 : 0;
}

function writeBool(w: WireWriter, tag: number, value: unknown): void {
  if (value == null || !value) return;
  w.varint32(tag);
  w.varint32(1);
}

function stringSize(value: unknown): number {
  if (value == null) return 0;
  const length = Buffer.byteLength(String(value), 'utf8');
  return length === 0 ? 0 : 1 + varint32Size(length) + length;
}

function writeString(w: WireWriter, tag: number, value: unknown): void {
  if (value == null) return;
  const text = String(value);
  const length = Buffer.byteLength(text, 'utf8');
  if (length === 0) return;
  w.varint32(tag);
  w.string(text, length);
}

/** An enum's values by name and by number. */
function enumValues(names: string[]): Map<unknown, number> {
  const values = new Map<unknown, number>();
  names.forEach((name, value) => values.set(name, value).set(value, value));
  return values;
}

/**
 * An enum field's number as fromObject makes it: a known name or number; an unknown number as is;
 * an unknown name leaves a single field unset (undefined) and makes a list element the default, 0.
 */
function enumNumber(value: unknown, values: Map<unknown, number>, repeated: boolean): number | undefined {
  const known = values.get(value);
  if (known !== undefined) return known;
  if (typeof value === 'number') return value;
  return repeated ? 0 : undefined;
}

/** Sets `long` to an enum number's wire value: an int32, so a negative one takes ten bytes. */
function enumToLong(value: number): void {
  if (value < 0) return toLong(value, false);
  long.lo = value >>> 0;
  long.hi = 0;
}

function enumSize(value: unknown, values: Map<unknown, number>): number {
  const number = enumNumber(value, values, false);
  if (number === undefined) return 0;
  enumToLong(number);
  return long.lo === 0 && long.hi === 0 ? 0 : 1 + varint64Size(long.lo, long.hi);
}

function writeEnum(w: WireWriter, tag: number, value: unknown, values: Map<unknown, number>): void {
  const number = enumNumber(value, values, false);
  if (number === undefined) return;
  enumToLong(number);
  if (long.lo === 0 && long.hi === 0) return;
  w.varint32(tag);
  w.varint64(long.lo, long.hi);
}

/** A nested message: measured now, its size kept for the writing pass. */
function messageSize(value: unknown, name: string, size: Sizer, depth: number): number {
  if (value == null) return 0;
  return itemSize(value, name, size, depth);
}

/** One message of a repeated field, or a set message field: must be an object. */
function itemSize(value: unknown, name: string, size: Sizer, depth: number): number {
  if (!isObject(value)) throw new TypeError(`${name}: object expected`);
  const slot = sizes.length;
  sizes.push(0);
  const length = size(value, depth);
  sizes[slot] = length;
  return 1 + varint32Size(length) + length;
}

function writeMessage(w: WireWriter, tag: number, value: unknown, write: Writer): void {
  if (value == null) return;
  w.varint32(tag);
  w.varint32(sizes[nextSize++]!);
  write(w, value as Input);
}

function listOf(value: unknown, name: string): unknown[] | undefined {
  if (!value) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`${name}: array expected`);
  return value;
}

function repeatedSize(value: unknown, name: string, size: Sizer, depth = 0): number {
  const list = listOf(value, name);
  if (!list) return 0;
  let total = 0;
  for (let i = 0; i < list.length; i++) total += itemSize(list[i], name, size, depth);
  return total;
}

function writeRepeated(w: WireWriter, tag: number, value: unknown, write: Writer): void {
  if (!value) return;
  const list = value as Input[];
  for (let i = 0; i < list.length; i++) {
    w.varint32(tag);
    w.varint32(sizes[nextSize++]!);
    write(w, list[i]!);
  }
}

function nested(depth: number): number {
  if (depth > RECURSION_LIMIT) throw new Error('maximum nesting depth exceeded');
  return depth + 1;
}

// ---- the messages ----

const SORT_ORDER = enumValues(['NONE', 'ASCEND', 'DESCEND']);
const SORT_TARGET = enumValues(['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']);
const COMPARE_RESULT = enumValues(['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL']);
const COMPARE_TARGET = enumValues(['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE']);
const FILTER_TYPE = enumValues(['NOPUT', 'NODELETE']);
const EVENT_TYPE = enumValues(['PUT', 'DELETE']);

export function sizeResponseHeader(m: Input): number {
  return int64Size(m.cluster_id, true) + int64Size(m.member_id, true) + int64Size(m.revision) + int64Size(m.raft_term, true);
}

export function writeResponseHeader(w: WireWriter, m: Input): void {
  writeInt64(w, 8, m.cluster_id, true);
  writeInt64(w, 16, m.member_id, true);
  writeInt64(w, 24, m.revision);
  writeInt64(w, 32, m.raft_term, true);
}

export function sizeKeyValue(m: Input): number {
  return bytesSize(m.key) + int64Size(m.create_revision) + int64Size(m.mod_revision) + int64Size(m.version) + bytesSize(m.value) + int64Size(m.lease);
}

export function writeKeyValue(w: WireWriter, m: Input): void {
  writeBytes(w, 10, m.key);
  writeInt64(w, 16, m.create_revision);
  writeInt64(w, 24, m.mod_revision);
  writeInt64(w, 32, m.version);
  writeBytes(w, 42, m.value);
  writeInt64(w, 48, m.lease);
}

export function sizeEvent(m: Input): number {
  return (
    enumSize(m.type, EVENT_TYPE) +
    messageSize(m.kv, '.mvccpb.Event.kv', sizeKeyValue, 0) +
    messageSize(m.prev_kv, '.mvccpb.Event.prev_kv', sizeKeyValue, 0)
  );
}

export function writeEvent(w: WireWriter, m: Input): void {
  writeEnum(w, 8, m.type, EVENT_TYPE);
  writeMessage(w, 18, m.kv, writeKeyValue);
  writeMessage(w, 26, m.prev_kv, writeKeyValue);
}

export function sizeRangeRequest(m: Input): number {
  return (
    bytesSize(m.key) +
    bytesSize(m.range_end) +
    int64Size(m.limit) +
    int64Size(m.revision) +
    enumSize(m.sort_order, SORT_ORDER) +
    enumSize(m.sort_target, SORT_TARGET) +
    boolSize(m.serializable) +
    boolSize(m.keys_only) +
    boolSize(m.count_only) +
    int64Size(m.min_mod_revision) +
    int64Size(m.max_mod_revision) +
    int64Size(m.min_create_revision) +
    int64Size(m.max_create_revision)
  );
}

export function writeRangeRequest(w: WireWriter, m: Input): void {
  writeBytes(w, 10, m.key);
  writeBytes(w, 18, m.range_end);
  writeInt64(w, 24, m.limit);
  writeInt64(w, 32, m.revision);
  writeEnum(w, 40, m.sort_order, SORT_ORDER);
  writeEnum(w, 48, m.sort_target, SORT_TARGET);
  writeBool(w, 56, m.serializable);
  writeBool(w, 64, m.keys_only);
  writeBool(w, 72, m.count_only);
  writeInt64(w, 80, m.min_mod_revision);
  writeInt64(w, 88, m.max_mod_revision);
  writeInt64(w, 96, m.min_create_revision);
  writeInt64(w, 104, m.max_create_revision);
}

export function sizeRangeResponse(m: Input): number {
  return (
    messageSize(m.header, '.etcdserverpb.RangeResponse.header', sizeResponseHeader, 0) +
    repeatedSize(m.kvs, '.etcdserverpb.RangeResponse.kvs', sizeKeyValue) +
    boolSize(m.more) +
    int64Size(m.count)
  );
}

export function writeRangeResponse(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.header, writeResponseHeader);
  writeRepeated(w, 18, m.kvs, writeKeyValue);
  writeBool(w, 24, m.more);
  writeInt64(w, 32, m.count);
}

export function sizePutRequest(m: Input): number {
  return bytesSize(m.key) + bytesSize(m.value) + int64Size(m.lease) + boolSize(m.prev_kv) + boolSize(m.ignore_value) + boolSize(m.ignore_lease);
}

export function writePutRequest(w: WireWriter, m: Input): void {
  writeBytes(w, 10, m.key);
  writeBytes(w, 18, m.value);
  writeInt64(w, 24, m.lease);
  writeBool(w, 32, m.prev_kv);
  writeBool(w, 40, m.ignore_value);
  writeBool(w, 48, m.ignore_lease);
}

export function sizePutResponse(m: Input): number {
  return messageSize(m.header, '.etcdserverpb.PutResponse.header', sizeResponseHeader, 0) + messageSize(m.prev_kv, '.etcdserverpb.PutResponse.prev_kv', sizeKeyValue, 0);
}

export function writePutResponse(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.header, writeResponseHeader);
  writeMessage(w, 18, m.prev_kv, writeKeyValue);
}

export function sizeDeleteRangeRequest(m: Input): number {
  return bytesSize(m.key) + bytesSize(m.range_end) + boolSize(m.prev_kv);
}

export function writeDeleteRangeRequest(w: WireWriter, m: Input): void {
  writeBytes(w, 10, m.key);
  writeBytes(w, 18, m.range_end);
  writeBool(w, 24, m.prev_kv);
}

export function sizeDeleteRangeResponse(m: Input): number {
  return (
    messageSize(m.header, '.etcdserverpb.DeleteRangeResponse.header', sizeResponseHeader, 0) +
    int64Size(m.deleted) +
    repeatedSize(m.prev_kvs, '.etcdserverpb.DeleteRangeResponse.prev_kvs', sizeKeyValue)
  );
}

export function writeDeleteRangeResponse(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.header, writeResponseHeader);
  writeInt64(w, 16, m.deleted);
  writeRepeated(w, 26, m.prev_kvs, writeKeyValue);
}

function sizeCompare(m: Input): number {
  return (
    enumSize(m.result, COMPARE_RESULT) +
    enumSize(m.target, COMPARE_TARGET) +
    bytesSize(m.key) +
    int64MemberSize(m.version) +
    int64MemberSize(m.create_revision) +
    int64MemberSize(m.mod_revision) +
    bytesMemberSize(m.value) +
    int64MemberSize(m.lease) +
    bytesSize(m.range_end, 2)
  );
}

function writeCompare(w: WireWriter, m: Input): void {
  writeEnum(w, 8, m.result, COMPARE_RESULT);
  writeEnum(w, 16, m.target, COMPARE_TARGET);
  writeBytes(w, 26, m.key);
  writeInt64Member(w, 32, m.version);
  writeInt64Member(w, 40, m.create_revision);
  writeInt64Member(w, 48, m.mod_revision);
  writeBytesMember(w, 58, m.value);
  writeInt64Member(w, 64, m.lease);
  writeBytes(w, 514, m.range_end);
}

function sizeRequestOp(m: Input, depth: number): number {
  return (
    messageSize(m.request_range, '.etcdserverpb.RequestOp.request_range', sizeRangeRequest, depth) +
    messageSize(m.request_put, '.etcdserverpb.RequestOp.request_put', sizePutRequest, depth) +
    messageSize(m.request_delete_range, '.etcdserverpb.RequestOp.request_delete_range', sizeDeleteRangeRequest, depth) +
    messageSize(m.request_txn, '.etcdserverpb.RequestOp.request_txn', sizeTxnRequest, depth)
  );
}

function writeRequestOp(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.request_range, writeRangeRequest);
  writeMessage(w, 18, m.request_put, writePutRequest);
  writeMessage(w, 26, m.request_delete_range, writeDeleteRangeRequest);
  writeMessage(w, 34, m.request_txn, writeTxnRequest);
}

export function sizeTxnRequest(m: Input, depth = 0): number {
  const inner = nested(depth);
  return (
    repeatedSize(m.compare, '.etcdserverpb.TxnRequest.compare', sizeCompare) +
    repeatedSize(m.success, '.etcdserverpb.TxnRequest.success', sizeRequestOp, inner) +
    repeatedSize(m.failure, '.etcdserverpb.TxnRequest.failure', sizeRequestOp, inner)
  );
}

export function writeTxnRequest(w: WireWriter, m: Input): void {
  writeRepeated(w, 10, m.compare, writeCompare);
  writeRepeated(w, 18, m.success, writeRequestOp);
  writeRepeated(w, 26, m.failure, writeRequestOp);
}

function sizeResponseOp(m: Input, depth: number): number {
  return (
    messageSize(m.response_range, '.etcdserverpb.ResponseOp.response_range', sizeRangeResponse, depth) +
    messageSize(m.response_put, '.etcdserverpb.ResponseOp.response_put', sizePutResponse, depth) +
    messageSize(m.response_delete_range, '.etcdserverpb.ResponseOp.response_delete_range', sizeDeleteRangeResponse, depth) +
    messageSize(m.response_txn, '.etcdserverpb.ResponseOp.response_txn', sizeTxnResponse, depth)
  );
}

function writeResponseOp(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.response_range, writeRangeResponse);
  writeMessage(w, 18, m.response_put, writePutResponse);
  writeMessage(w, 26, m.response_delete_range, writeDeleteRangeResponse);
  writeMessage(w, 34, m.response_txn, writeTxnResponse);
}

export function sizeTxnResponse(m: Input, depth = 0): number {
  const inner = nested(depth);
  return (
    messageSize(m.header, '.etcdserverpb.TxnResponse.header', sizeResponseHeader, 0) +
    boolSize(m.succeeded) +
    repeatedSize(m.responses, '.etcdserverpb.TxnResponse.responses', sizeResponseOp, inner)
  );
}

export function writeTxnResponse(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.header, writeResponseHeader);
  writeBool(w, 16, m.succeeded);
  writeRepeated(w, 26, m.responses, writeResponseOp);
}

/** WatchCreateRequest.filters, packed: each element's number (a list turns an unknown name into 0). */
function filterNumbers(value: unknown): number[] | undefined {
  const list = listOf(value, '.etcdserverpb.WatchCreateRequest.filters');
  if (!list || list.length === 0) return undefined;
  return list.map((filter) => enumNumber(filter, FILTER_TYPE, true)!);
}

function packedEnumsLength(numbers: number[]): number {
  let length = 0;
  for (const number of numbers) {
    enumToLong(number);
    length += varint64Size(long.lo, long.hi);
  }
  return length;
}

function sizeWatchCreateRequest(m: Input): number {
  const filters = filterNumbers(m.filters);
  const filtersLength = filters ? packedEnumsLength(filters) : 0;
  return (
    bytesSize(m.key) +
    bytesSize(m.range_end) +
    int64Size(m.start_revision) +
    boolSize(m.progress_notify) +
    (filters ? 1 + varint32Size(filtersLength) + filtersLength : 0) +
    boolSize(m.prev_kv) +
    int64Size(m.watch_id) +
    boolSize(m.fragment)
  );
}

function writeWatchCreateRequest(w: WireWriter, m: Input): void {
  writeBytes(w, 10, m.key);
  writeBytes(w, 18, m.range_end);
  writeInt64(w, 24, m.start_revision);
  writeBool(w, 32, m.progress_notify);
  const filters = filterNumbers(m.filters);
  if (filters) {
    w.varint32(42);
    w.varint32(packedEnumsLength(filters));
    for (const number of filters) {
      enumToLong(number);
      w.varint64(long.lo, long.hi);
    }
  }
  writeBool(w, 48, m.prev_kv);
  writeInt64(w, 56, m.watch_id);
  writeBool(w, 64, m.fragment);
}

function sizeWatchCancelRequest(m: Input): number {
  return int64Size(m.watch_id);
}

function writeWatchCancelRequest(w: WireWriter, m: Input): void {
  writeInt64(w, 8, m.watch_id);
}

const sizeEmpty = (): number => 0;
const writeEmpty = (): void => undefined;

export function sizeWatchRequest(m: Input): number {
  return (
    messageSize(m.create_request, '.etcdserverpb.WatchRequest.create_request', sizeWatchCreateRequest, 0) +
    messageSize(m.cancel_request, '.etcdserverpb.WatchRequest.cancel_request', sizeWatchCancelRequest, 0) +
    messageSize(m.progress_request, '.etcdserverpb.WatchRequest.progress_request', sizeEmpty, 0)
  );
}

export function writeWatchRequest(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.create_request, writeWatchCreateRequest);
  writeMessage(w, 18, m.cancel_request, writeWatchCancelRequest);
  writeMessage(w, 26, m.progress_request, writeEmpty);
}

export function sizeWatchResponse(m: Input): number {
  return (
    messageSize(m.header, '.etcdserverpb.WatchResponse.header', sizeResponseHeader, 0) +
    int64Size(m.watch_id) +
    boolSize(m.created) +
    boolSize(m.canceled) +
    int64Size(m.compact_revision) +
    stringSize(m.cancel_reason) +
    boolSize(m.fragment) +
    repeatedSize(m.events, '.etcdserverpb.WatchResponse.events', sizeEvent)
  );
}

export function writeWatchResponse(w: WireWriter, m: Input): void {
  writeMessage(w, 10, m.header, writeResponseHeader);
  writeInt64(w, 16, m.watch_id);
  writeBool(w, 24, m.created);
  writeBool(w, 32, m.canceled);
  writeInt64(w, 40, m.compact_revision);
  writeString(w, 50, m.cancel_reason);
  writeBool(w, 56, m.fragment);
  writeRepeated(w, 90, m.events, writeEvent);
}
