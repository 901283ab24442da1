import type {
  BindRequest,
  CreateRequest,
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  ListRequest,
  ListResponse,
  ObjectResponse,
  PatchRequest,
  Preconditions,
  UpdateRequest,
  WatchEvent,
  WatchRequest,
} from './objects-messages';
import { S1, S2, S3, S4, S5, S6, S7, S8, V1, V2, V4, V5, V6, V7, V8, V9 } from './objects-codec-tags';
import { delimitedSize, fieldSize, long, toLong, utf8Length, varint64Size, WireWriter } from './protobuf-wire';

/**
 * The encoders of objects.proto's messages, by hand: each normalises its fields as protobufjs'
 * fromObject would, adds up their sizes, and writes them into one buffer of exactly that size.
 * Proto3 defaults ('', 0, false, empty bytes) are left out, as every other protobuf library
 * does; a decoder reads the same message either way. Messages may come with fields missing
 * (a caller's partial object) or with extra keys (ignored), as proto-loader took them.
 */

type In<T> = Partial<Record<keyof T, unknown>>;

function bool(value: unknown): boolean {
  return Boolean(value);
}

/** A string field: unset (null/undefined) is '', anything else `String(value)`. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

const EMPTY = new Uint8Array(0);

/** A bytes field: a Uint8Array as it is, a string as base64 (as protobufjs reads it), an array of numbers copied. */
function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value == null) return EMPTY;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  if (typeof (value as ArrayLike<number>).length === 'number') return Buffer.from(value as ArrayLike<number>);
  return EMPTY;
}

/** A bytes field, or nothing when empty (proto3). */
function bytesFieldSize(value: Uint8Array): number {
  return value.length === 0 ? 0 : delimitedSize(value.length);
}

/**
 * Converts an int64 field's value into `long` (as protobufjs' fromObject does), and tells whether
 * it is set (not zero). `long` is one shared pair: an encoder measures and writes its int64 field
 * with nothing in between that converts another (each message here has at most one).
 */
function int64Bits(value: unknown): boolean {
  toLong(value, false);
  return long.lo !== 0 || long.hi !== 0;
}

/** The tag and varint of the int64 last given to int64Bits. */
function int64FieldSize(): number {
  return 1 + varint64Size(long.lo, long.hi);
}

function writeInt64Field(w: WireWriter, fieldTag: number): void {
  w.varint32(fieldTag);
  w.varint64(long.lo, long.hi);
}

/**
 * The four fields that start most requests (group, version, resource, namespace: 1..4), with
 * their UTF-8 lengths, measured once for the size and again used for the writing.
 */
class ResourceFields {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace: string;
  readonly lengths: [number, number, number, number];

  constructor(m: { group?: unknown; version?: unknown; resource?: unknown; namespace?: unknown }) {
    this.group = text(m.group);
    this.version = text(m.version);
    this.resource = text(m.resource);
    this.namespace = text(m.namespace);
    this.lengths = [utf8Length(this.group), utf8Length(this.version), utf8Length(this.resource), utf8Length(this.namespace)];
  }

  size(): number {
    const [g, v, r, n] = this.lengths;
    return fieldSize(g) + fieldSize(v) + fieldSize(r) + fieldSize(n);
  }

  write(w: WireWriter): void {
    const [g, v, r, n] = this.lengths;
    w.stringField(S1, this.group, g);
    w.stringField(S2, this.version, v);
    w.stringField(S3, this.resource, r);
    w.stringField(S4, this.namespace, n);
  }
}

export function encodeGetRequest(m: In<GetRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const w = new WireWriter(scope.size() + fieldSize(nameLength));
  scope.write(w);
  w.stringField(S5, name, nameLength);
  return w.finish();
}

export function encodeListRequest(m: In<ListRequest>): Buffer {
  const scope = new ResourceFields(m);
  const labelSelector = text(m.labelSelector), labelLength = utf8Length(labelSelector);
  const fieldSelector = text(m.fieldSelector), fieldLength = utf8Length(fieldSelector);
  const cont = text(m.continue), contLength = utf8Length(cont);
  const hasLimit = int64Bits(m.limit);
  const w = new WireWriter(scope.size() + fieldSize(labelLength) + fieldSize(fieldLength) + (hasLimit ? int64FieldSize() : 0) + fieldSize(contLength));
  scope.write(w);
  w.stringField(S5, labelSelector, labelLength);
  w.stringField(S6, fieldSelector, fieldLength);
  if (hasLimit) {
    writeInt64Field(w, V7);
  }
  w.stringField(S8, cont, contLength);
  return w.finish();
}

export function encodeListResponse(m: In<ListResponse>): Buffer {
  if (m.items && !Array.isArray(m.items)) throw new TypeError('.kubelab.objects.v1.ListResponse.items: array expected');
  const items = m.items ? (m.items as unknown[]).map((item) => bytes(item)) : [];
  const resourceVersion = text(m.resourceVersion), rvLength = utf8Length(resourceVersion);
  const cont = text(m.continue), contLength = utf8Length(cont);
  const hasRemaining = int64Bits(m.remainingItemCount);
  let size = fieldSize(rvLength) + fieldSize(contLength) + (hasRemaining ? int64FieldSize() : 0);
  for (const item of items) size += delimitedSize(item.length);
  const w = new WireWriter(size);
  for (const item of items) w.bytesField(S1, item, true);
  w.stringField(S2, resourceVersion, rvLength);
  w.stringField(S3, cont, contLength);
  if (hasRemaining) {
    writeInt64Field(w, V4);
  }
  return w.finish();
}

export function encodeWatchRequest(m: In<WatchRequest>): Buffer {
  const scope = new ResourceFields(m);
  const labelSelector = text(m.labelSelector), labelLength = utf8Length(labelSelector);
  const fieldSelector = text(m.fieldSelector), fieldLength = utf8Length(fieldSelector);
  const resourceVersion = text(m.resourceVersion), rvLength = utf8Length(resourceVersion);
  const allowBookmarks = bool(m.allowBookmarks);
  const hasTimeout = int64Bits(m.timeoutSeconds);
  const w = new WireWriter(scope.size() + fieldSize(labelLength) + fieldSize(fieldLength) + fieldSize(rvLength) + (allowBookmarks ? 2 : 0) + (hasTimeout ? int64FieldSize() : 0));
  scope.write(w);
  w.stringField(S5, labelSelector, labelLength);
  w.stringField(S6, fieldSelector, fieldLength);
  w.stringField(S7, resourceVersion, rvLength);
  w.boolField(V8, allowBookmarks);
  if (hasTimeout) {
    writeInt64Field(w, V9);
  }
  return w.finish();
}

/** WatchEvent.EventType, by name and by number (a number passes as it is, as in protobufjs). */
const EVENT_TYPES: Record<string, number> = { EVENT_TYPE_UNSPECIFIED: 0, ADDED: 1, MODIFIED: 2, DELETED: 3, BOOKMARK: 4, ERROR: 5 };

function enumValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return EVENT_TYPES[value] ?? 0;
  return 0;
}

export function encodeWatchEvent(m: In<WatchEvent>): Buffer {
  const type = enumValue(m.type);
  const object = bytes(m.object);
  // An enum is an int32: a negative one is sign-extended to ten bytes.
  const hasType = type !== 0 && int64Bits(type < 0 ? type | 0 : type >>> 0);
  const w = new WireWriter((hasType ? int64FieldSize() : 0) + bytesFieldSize(object));
  if (hasType) {
    writeInt64Field(w, V1);
  }
  w.bytesField(S2, object);
  return w.finish();
}

export function encodeCreateRequest(m: In<CreateRequest>): Buffer {
  const scope = new ResourceFields(m);
  const object = bytes(m.object), dryRun = bool(m.dryRun);
  const w = new WireWriter(scope.size() + bytesFieldSize(object) + (dryRun ? 2 : 0));
  scope.write(w);
  w.bytesField(S5, object);
  w.boolField(V6, dryRun);
  return w.finish();
}

export function encodeUpdateRequest(m: In<UpdateRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const object = bytes(m.object), dryRun = bool(m.dryRun);
  const w = new WireWriter(scope.size() + fieldSize(nameLength) + bytesFieldSize(object) + (dryRun ? 2 : 0));
  scope.write(w);
  w.stringField(S5, name, nameLength);
  w.bytesField(S6, object);
  w.boolField(V7, dryRun);
  return w.finish();
}

export function encodePatchRequest(m: In<PatchRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const patchType = text(m.patchType), patchTypeLength = utf8Length(patchType);
  const subresource = text(m.subresource), subresourceLength = utf8Length(subresource);
  const patch = bytes(m.patch), dryRun = bool(m.dryRun);
  const w = new WireWriter(scope.size() + fieldSize(nameLength) + fieldSize(patchTypeLength) + bytesFieldSize(patch) + fieldSize(subresourceLength) + (dryRun ? 2 : 0));
  scope.write(w);
  w.stringField(S5, name, nameLength);
  w.stringField(S6, patchType, patchTypeLength);
  w.bytesField(S7, patch);
  w.stringField(S8, subresource, subresourceLength);
  w.boolField(V9, dryRun);
  return w.finish();
}

export function encodePreconditions(m: In<Preconditions>): Buffer {
  const uid = text(m.uid), uidLength = utf8Length(uid);
  const resourceVersion = text(m.resourceVersion), rvLength = utf8Length(resourceVersion);
  const w = new WireWriter(fieldSize(uidLength) + fieldSize(rvLength));
  w.stringField(S1, uid, uidLength);
  w.stringField(S2, resourceVersion, rvLength);
  return w.finish();
}

export function encodeDeleteRequest(m: In<DeleteRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const propagationPolicy = text(m.propagationPolicy), policyLength = utf8Length(propagationPolicy);
  const dryRun = bool(m.dryRun);
  // A message field: set (even to {}) or not, as protobufjs, which refuses a non-object.
  if (m.preconditions != null && typeof m.preconditions !== 'object') throw new TypeError('.kubelab.objects.v1.DeleteRequest.preconditions: object expected');
  const preconditions = m.preconditions == null ? undefined : encodePreconditions(m.preconditions as In<Preconditions>);
  // `optional`: present whenever given, zero included.
  const hasGrace = m.gracePeriodSeconds != null;
  if (hasGrace) int64Bits(m.gracePeriodSeconds);
  const size = scope.size() + fieldSize(nameLength) + (hasGrace ? int64FieldSize() : 0) + fieldSize(policyLength) + (preconditions ? delimitedSize(preconditions.length) : 0) + (dryRun ? 2 : 0);
  const w = new WireWriter(size);
  scope.write(w);
  w.stringField(S5, name, nameLength);
  if (hasGrace) {
    writeInt64Field(w, V6);
  }
  w.stringField(S7, propagationPolicy, policyLength);
  if (preconditions) w.bytesField(S8, preconditions, true);
  w.boolField(V9, dryRun);
  return w.finish();
}

export function encodeDeleteResponse(m: In<DeleteResponse>): Buffer {
  const object = bytes(m.object), finished = bool(m.finished);
  const w = new WireWriter(bytesFieldSize(object) + (finished ? 2 : 0));
  w.bytesField(S1, object);
  w.boolField(V2, finished);
  return w.finish();
}

export function encodeBindRequest(m: In<BindRequest>): Buffer {
  const namespace = text(m.namespace), namespaceLength = utf8Length(namespace);
  const name = text(m.name), nameLength = utf8Length(name);
  const nodeName = text(m.nodeName), nodeLength = utf8Length(nodeName);
  const uid = text(m.uid), uidLength = utf8Length(uid);
  const dryRun = bool(m.dryRun);
  const w = new WireWriter(fieldSize(namespaceLength) + fieldSize(nameLength) + fieldSize(nodeLength) + fieldSize(uidLength) + (dryRun ? 2 : 0));
  w.stringField(S1, namespace, namespaceLength);
  w.stringField(S2, name, nameLength);
  w.stringField(S3, nodeName, nodeLength);
  w.stringField(S4, uid, uidLength);
  w.boolField(V5, dryRun);
  return w.finish();
}

export function encodeObjectResponse(m: In<ObjectResponse>): Buffer {
  const object = bytes(m.object);
  const w = new WireWriter(bytesFieldSize(object));
  w.bytesField(S1, object);
  return w.finish();
}
