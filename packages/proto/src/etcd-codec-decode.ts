import { RECURSION_LIMIT, WireReader } from './protobuf-wire';

/**
 * Decoders for the etcd messages on the hot path. Each builds exactly the object @grpc/proto-loader
 * builds with ETCD_PROTO_OPTIONS: every field present with its default, keys in proto-loader's
 * order (repeated fields first, then the others by field number, then the set oneof member and the
 * oneof's name), int64 as decimal strings, enums by name (an unknown value as its number), bytes as
 * Buffers that are views into the received message, absent nested messages null.
 *
 * Cases are whole tags (field number and wire type): a field with an unexpected wire type is
 * skipped as unknown.
 */

/** Raw objects as proto-loader hands them over; the callers keep their own types. */
export type Decoded = Record<string, unknown>;

const SORT_ORDER = ['NONE', 'ASCEND', 'DESCEND'];
const SORT_TARGET = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'];
const COMPARE_RESULT = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'];
const COMPARE_TARGET = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'];
const FILTER_TYPE = ['NOPUT', 'NODELETE'];
const EVENT_TYPE = ['PUT', 'DELETE'];

/** An enum by name; a number this .proto does not name stays a number (proto-loader's `enums: String`). */
function enumName(names: string[], value: number): string | number {
  return names[value] ?? value;
}

/** Sets a oneof member read from the wire and names it in the oneof's field, as proto-loader's `oneofs: true` does. */
function setMember(message: Decoded, oneof: string, member: string, value: unknown): void {
  if (value === undefined) return;
  message[member] = value;
  message[oneof] = member;
}

function depthChecked(depth: number): number {
  if (depth > RECURSION_LIMIT) throw new Error('maximum nesting depth exceeded');
  return depth + 1;
}

export function decodeResponseHeader(r: WireReader, end: number): Decoded {
  let cluster_id = '0';
  let member_id = '0';
  let revision = '0';
  let raft_term = '0';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8: cluster_id = r.uint64(); break;
      case 16: member_id = r.uint64(); break;
      case 24: revision = r.int64(); break;
      case 32: raft_term = r.uint64(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { cluster_id, member_id, revision, raft_term };
}

export function decodeKeyValue(r: WireReader, end: number): Decoded {
  let key: Buffer | undefined;
  let create_revision = '0';
  let mod_revision = '0';
  let version = '0';
  let value: Buffer | undefined;
  let lease = '0';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: key = r.bytes(); break;
      case 16: create_revision = r.int64(); break;
      case 24: mod_revision = r.int64(); break;
      case 32: version = r.int64(); break;
      case 42: value = r.bytes(); break;
      case 48: lease = r.int64(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { key: key ?? Buffer.alloc(0), create_revision, mod_revision, version, value: value ?? Buffer.alloc(0), lease };
}

export function decodeEvent(r: WireReader, end: number): Decoded {
  let type: string | number = 'PUT';
  let kv: Decoded | null = null;
  let prev_kv: Decoded | null = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8: type = enumName(EVENT_TYPE, r.int32()); break;
      case 18: kv = decodeKeyValue(r, r.delimitedEnd()); break;
      case 26: prev_kv = decodeKeyValue(r, r.delimitedEnd()); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { type, kv, prev_kv };
}

export function decodeRangeRequest(r: WireReader, end: number): Decoded {
  let key: Buffer | undefined;
  let range_end: Buffer | undefined;
  let limit = '0';
  let revision = '0';
  let sort_order: string | number = 'NONE';
  let sort_target: string | number = 'KEY';
  let serializable = false;
  let keys_only = false;
  let count_only = false;
  let min_mod_revision = '0';
  let max_mod_revision = '0';
  let min_create_revision = '0';
  let max_create_revision = '0';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: key = r.bytes(); break;
      case 18: range_end = r.bytes(); break;
      case 24: limit = r.int64(); break;
      case 32: revision = r.int64(); break;
      case 40: sort_order = enumName(SORT_ORDER, r.int32()); break;
      case 48: sort_target = enumName(SORT_TARGET, r.int32()); break;
      case 56: serializable = r.bool(); break;
      case 64: keys_only = r.bool(); break;
      case 72: count_only = r.bool(); break;
      case 80: min_mod_revision = r.int64(); break;
      case 88: max_mod_revision = r.int64(); break;
      case 96: min_create_revision = r.int64(); break;
      case 104: max_create_revision = r.int64(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return {
    key: key ?? Buffer.alloc(0),
    range_end: range_end ?? Buffer.alloc(0),
    limit,
    revision,
    sort_order,
    sort_target,
    serializable,
    keys_only,
    count_only,
    min_mod_revision,
    max_mod_revision,
    min_create_revision,
    max_create_revision,
  };
}

export function decodeRangeResponse(r: WireReader, end: number): Decoded {
  const kvs: Decoded[] = [];
  let header: Decoded | null = null;
  let more = false;
  let count = '0';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: header = decodeResponseHeader(r, r.delimitedEnd()); break;
      case 18: kvs.push(decodeKeyValue(r, r.delimitedEnd())); break;
      case 24: more = r.bool(); break;
      case 32: count = r.int64(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { kvs, header, more, count };
}

export function decodePutRequest(r: WireReader, end: number): Decoded {
  let key: Buffer | undefined;
  let value: Buffer | undefined;
  let lease = '0';
  let prev_kv = false;
  let ignore_value = false;
  let ignore_lease = false;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: key = r.bytes(); break;
      case 18: value = r.bytes(); break;
      case 24: lease = r.int64(); break;
      case 32: prev_kv = r.bool(); break;
      case 40: ignore_value = r.bool(); break;
      case 48: ignore_lease = r.bool(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { key: key ?? Buffer.alloc(0), value: value ?? Buffer.alloc(0), lease, prev_kv, ignore_value, ignore_lease };
}

export function decodePutResponse(r: WireReader, end: number): Decoded {
  let header: Decoded | null = null;
  let prev_kv: Decoded | null = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: header = decodeResponseHeader(r, r.delimitedEnd()); break;
      case 18: prev_kv = decodeKeyValue(r, r.delimitedEnd()); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { header, prev_kv };
}

export function decodeDeleteRangeRequest(r: WireReader, end: number): Decoded {
  let key: Buffer | undefined;
  let range_end: Buffer | undefined;
  let prev_kv = false;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: key = r.bytes(); break;
      case 18: range_end = r.bytes(); break;
      case 24: prev_kv = r.bool(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { key: key ?? Buffer.alloc(0), range_end: range_end ?? Buffer.alloc(0), prev_kv };
}

export function decodeDeleteRangeResponse(r: WireReader, end: number): Decoded {
  const prev_kvs: Decoded[] = [];
  let header: Decoded | null = null;
  let deleted = '0';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: header = decodeResponseHeader(r, r.delimitedEnd()); break;
      case 16: deleted = r.int64(); break;
      case 26: prev_kvs.push(decodeKeyValue(r, r.delimitedEnd())); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { prev_kvs, header, deleted };
}

export function decodeCompare(r: WireReader, end: number): Decoded {
  let result: string | number = 'EQUAL';
  let target: string | number = 'VERSION';
  let key: Buffer | undefined;
  let range_end: Buffer | undefined;
  // target_union: each member as set on the wire (protobufjs keeps every one it read).
  let version: string | undefined;
  let create_revision: string | undefined;
  let mod_revision: string | undefined;
  let value: Buffer | undefined;
  let lease: string | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8: result = enumName(COMPARE_RESULT, r.int32()); break;
      case 16: target = enumName(COMPARE_TARGET, r.int32()); break;
      case 26: key = r.bytes(); break;
      case 32: version = r.int64(); break;
      case 40: create_revision = r.int64(); break;
      case 48: mod_revision = r.int64(); break;
      case 58: value = r.bytes(); break;
      case 64: lease = r.int64(); break;
      case 514: range_end = r.bytes(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  const compare: Decoded = { result, target, key: key ?? Buffer.alloc(0), range_end: range_end ?? Buffer.alloc(0) };
  setMember(compare, 'target_union', 'version', version);
  setMember(compare, 'target_union', 'create_revision', create_revision);
  setMember(compare, 'target_union', 'mod_revision', mod_revision);
  setMember(compare, 'target_union', 'value', value);
  setMember(compare, 'target_union', 'lease', lease);
  return compare;
}

export function decodeRequestOp(r: WireReader, end: number, depth: number): Decoded {
  let request_range: Decoded | undefined;
  let request_put: Decoded | undefined;
  let request_delete_range: Decoded | undefined;
  let request_txn: Decoded | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: request_range = decodeRangeRequest(r, r.delimitedEnd()); break;
      case 18: request_put = decodePutRequest(r, r.delimitedEnd()); break;
      case 26: request_delete_range = decodeDeleteRangeRequest(r, r.delimitedEnd()); break;
      case 34: request_txn = decodeTxnRequest(r, r.delimitedEnd(), depth); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  const op: Decoded = {};
  setMember(op, 'request', 'request_range', request_range);
  setMember(op, 'request', 'request_put', request_put);
  setMember(op, 'request', 'request_delete_range', request_delete_range);
  setMember(op, 'request', 'request_txn', request_txn);
  return op;
}

export function decodeTxnRequest(r: WireReader, end: number, depth = 0): Decoded {
  const inner = depthChecked(depth);
  const compare: Decoded[] = [];
  const success: Decoded[] = [];
  const failure: Decoded[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: compare.push(decodeCompare(r, r.delimitedEnd())); break;
      case 18: success.push(decodeRequestOp(r, r.delimitedEnd(), inner)); break;
      case 26: failure.push(decodeRequestOp(r, r.delimitedEnd(), inner)); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { compare, success, failure };
}

export function decodeResponseOp(r: WireReader, end: number, depth: number): Decoded {
  let response_range: Decoded | undefined;
  let response_put: Decoded | undefined;
  let response_delete_range: Decoded | undefined;
  let response_txn: Decoded | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: response_range = decodeRangeResponse(r, r.delimitedEnd()); break;
      case 18: response_put = decodePutResponse(r, r.delimitedEnd()); break;
      case 26: response_delete_range = decodeDeleteRangeResponse(r, r.delimitedEnd()); break;
      case 34: response_txn = decodeTxnResponse(r, r.delimitedEnd(), depth); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  const op: Decoded = {};
  setMember(op, 'response', 'response_range', response_range);
  setMember(op, 'response', 'response_put', response_put);
  setMember(op, 'response', 'response_delete_range', response_delete_range);
  setMember(op, 'response', 'response_txn', response_txn);
  return op;
}

export function decodeTxnResponse(r: WireReader, end: number, depth = 0): Decoded {
  const inner = depthChecked(depth);
  const responses: Decoded[] = [];
  let header: Decoded | null = null;
  let succeeded = false;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: header = decodeResponseHeader(r, r.delimitedEnd()); break;
      case 16: succeeded = r.bool(); break;
      case 26: responses.push(decodeResponseOp(r, r.delimitedEnd(), inner)); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { responses, header, succeeded };
}

function decodeWatchCreateRequest(r: WireReader, end: number): Decoded {
  const filters: Array<string | number> = [];
  let key: Buffer | undefined;
  let range_end: Buffer | undefined;
  let start_revision = '0';
  let progress_notify = false;
  let prev_kv = false;
  let watch_id = '0';
  let fragment = false;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: key = r.bytes(); break;
      case 18: range_end = r.bytes(); break;
      case 24: start_revision = r.int64(); break;
      case 32: progress_notify = r.bool(); break;
      case 40: filters.push(enumName(FILTER_TYPE, r.int32())); break;
      case 42: {
        const packedEnd = r.delimitedEnd();
        while (r.pos < packedEnd) filters.push(enumName(FILTER_TYPE, r.int32()));
        r.expectEnd(packedEnd);
        break;
      }
      case 48: prev_kv = r.bool(); break;
      case 56: watch_id = r.int64(); break;
      case 64: fragment = r.bool(); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { filters, key: key ?? Buffer.alloc(0), range_end: range_end ?? Buffer.alloc(0), start_revision, progress_notify, prev_kv, watch_id, fragment };
}

function decodeWatchCancelRequest(r: WireReader, end: number): Decoded {
  let watch_id = '0';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) watch_id = r.int64();
    else r.skip(tag);
  }
  r.expectEnd(end);
  return { watch_id };
}

function decodeEmpty(r: WireReader, end: number): Decoded {
  while (r.pos < end) r.skip(r.uint32());
  r.expectEnd(end);
  return {};
}

export function decodeWatchRequest(r: WireReader, end: number): Decoded {
  let create_request: Decoded | undefined;
  let cancel_request: Decoded | undefined;
  let progress_request: Decoded | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: create_request = decodeWatchCreateRequest(r, r.delimitedEnd()); break;
      case 18: cancel_request = decodeWatchCancelRequest(r, r.delimitedEnd()); break;
      case 26: progress_request = decodeEmpty(r, r.delimitedEnd()); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  const request: Decoded = {};
  setMember(request, 'request_union', 'create_request', create_request);
  setMember(request, 'request_union', 'cancel_request', cancel_request);
  setMember(request, 'request_union', 'progress_request', progress_request);
  return request;
}

export function decodeWatchResponse(r: WireReader, end: number): Decoded {
  const events: Decoded[] = [];
  let header: Decoded | null = null;
  let watch_id = '0';
  let created = false;
  let canceled = false;
  let compact_revision = '0';
  let cancel_reason = '';
  let fragment = false;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: header = decodeResponseHeader(r, r.delimitedEnd()); break;
      case 16: watch_id = r.int64(); break;
      case 24: created = r.bool(); break;
      case 32: canceled = r.bool(); break;
      case 40: compact_revision = r.int64(); break;
      case 50: cancel_reason = r.string(); break;
      case 56: fragment = r.bool(); break;
      case 90: events.push(decodeEvent(r, r.delimitedEnd())); break;
      default: r.skip(tag);
    }
  }
  r.expectEnd(end);
  return { events, header, watch_id, created, canceled, compact_revision, cancel_reason, fragment };
}
