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
import {
  bytes,
  bytesFieldSize,
  delimitedSize,
  int64Bits,
  int64Size,
  LENGTH_DELIMITED,
  fieldSize,
  tag,
  text,
  utf8Length,
  VARINT,
  writeBoolField,
  writeBytesField,
  writeInt64,
  writeStringField,
} from './objects-wire';

/**
 * The encoders of objects.proto's messages, by hand: each normalises its fields as protobufjs'
 * fromObject would, adds up their sizes, and writes them into one buffer of exactly that size.
 * Proto3 defaults ('', 0, false, empty bytes) are left out, as every other protobuf library
 * does; a decoder reads the same message either way. Messages may come with fields missing
 * (a caller's partial object) or with extra keys (ignored), as proto-loader took them.
 */

type In<T> = Partial<Record<keyof T, unknown>>;

const S1 = tag(1, LENGTH_DELIMITED);
const S2 = tag(2, LENGTH_DELIMITED);
const S3 = tag(3, LENGTH_DELIMITED);
const S4 = tag(4, LENGTH_DELIMITED);
const S5 = tag(5, LENGTH_DELIMITED);
const S6 = tag(6, LENGTH_DELIMITED);
const S7 = tag(7, LENGTH_DELIMITED);
const S8 = tag(8, LENGTH_DELIMITED);
const V1 = tag(1, VARINT);
const V2 = tag(2, VARINT);
const V4 = tag(4, VARINT);
const V5 = tag(5, VARINT);
const V6 = tag(6, VARINT);
const V7 = tag(7, VARINT);
const V8 = tag(8, VARINT);
const V9 = tag(9, VARINT);

function bool(value: unknown): boolean {
  return Boolean(value);
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

  write(buf: Buffer): number {
    const [g, v, r, n] = this.lengths;
    let pos = writeStringField(buf, 0, S1, this.group, g);
    pos = writeStringField(buf, pos, S2, this.version, v);
    pos = writeStringField(buf, pos, S3, this.resource, r);
    return writeStringField(buf, pos, S4, this.namespace, n);
  }
}

export function encodeGetRequest(m: In<GetRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const buf = Buffer.allocUnsafe(scope.size() + fieldSize(nameLength));
  writeStringField(buf, scope.write(buf), S5, name, nameLength);
  return buf;
}

export function encodeListRequest(m: In<ListRequest>): Buffer {
  const scope = new ResourceFields(m);
  const labelSelector = text(m.labelSelector), labelLength = utf8Length(labelSelector);
  const fieldSelector = text(m.fieldSelector), fieldLength = utf8Length(fieldSelector);
  const cont = text(m.continue), contLength = utf8Length(cont);
  const hasLimit = int64Bits(m.limit);
  const buf = Buffer.allocUnsafe(scope.size() + fieldSize(labelLength) + fieldSize(fieldLength) + (hasLimit ? 1 + int64Size() : 0) + fieldSize(contLength));
  let pos = scope.write(buf);
  pos = writeStringField(buf, pos, S5, labelSelector, labelLength);
  pos = writeStringField(buf, pos, S6, fieldSelector, fieldLength);
  if (hasLimit) {
    buf[pos++] = V7;
    pos = writeInt64(buf, pos);
  }
  writeStringField(buf, pos, S8, cont, contLength);
  return buf;
}

export function encodeListResponse(m: In<ListResponse>): Buffer {
  if (m.items && !Array.isArray(m.items)) throw new TypeError('.kubelab.objects.v1.ListResponse.items: array expected');
  const items = m.items ? (m.items as unknown[]).map((item) => bytes(item)) : [];
  const resourceVersion = text(m.resourceVersion), rvLength = utf8Length(resourceVersion);
  const cont = text(m.continue), contLength = utf8Length(cont);
  const hasRemaining = int64Bits(m.remainingItemCount);
  let size = fieldSize(rvLength) + fieldSize(contLength) + (hasRemaining ? 1 + int64Size() : 0);
  for (const item of items) size += delimitedSize(item.length);
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const item of items) pos = writeBytesField(buf, pos, S1, item, true);
  pos = writeStringField(buf, pos, S2, resourceVersion, rvLength);
  pos = writeStringField(buf, pos, S3, cont, contLength);
  if (hasRemaining) {
    buf[pos++] = V4;
    writeInt64(buf, pos);
  }
  return buf;
}

export function encodeWatchRequest(m: In<WatchRequest>): Buffer {
  const scope = new ResourceFields(m);
  const labelSelector = text(m.labelSelector), labelLength = utf8Length(labelSelector);
  const fieldSelector = text(m.fieldSelector), fieldLength = utf8Length(fieldSelector);
  const resourceVersion = text(m.resourceVersion), rvLength = utf8Length(resourceVersion);
  const allowBookmarks = bool(m.allowBookmarks);
  const hasTimeout = int64Bits(m.timeoutSeconds);
  const buf = Buffer.allocUnsafe(scope.size() + fieldSize(labelLength) + fieldSize(fieldLength) + fieldSize(rvLength) + (allowBookmarks ? 2 : 0) + (hasTimeout ? 1 + int64Size() : 0));
  let pos = scope.write(buf);
  pos = writeStringField(buf, pos, S5, labelSelector, labelLength);
  pos = writeStringField(buf, pos, S6, fieldSelector, fieldLength);
  pos = writeStringField(buf, pos, S7, resourceVersion, rvLength);
  pos = writeBoolField(buf, pos, V8, allowBookmarks);
  if (hasTimeout) {
    buf[pos++] = V9;
    writeInt64(buf, pos);
  }
  return buf;
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
  const buf = Buffer.allocUnsafe((hasType ? 1 + int64Size() : 0) + bytesFieldSize(object));
  let pos = 0;
  if (hasType) {
    buf[pos++] = V1;
    pos = writeInt64(buf, pos);
  }
  writeBytesField(buf, pos, S2, object);
  return buf;
}

export function encodeCreateRequest(m: In<CreateRequest>): Buffer {
  const scope = new ResourceFields(m);
  const object = bytes(m.object), dryRun = bool(m.dryRun);
  const buf = Buffer.allocUnsafe(scope.size() + bytesFieldSize(object) + (dryRun ? 2 : 0));
  let pos = scope.write(buf);
  pos = writeBytesField(buf, pos, S5, object);
  writeBoolField(buf, pos, V6, dryRun);
  return buf;
}

export function encodeUpdateRequest(m: In<UpdateRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const object = bytes(m.object), dryRun = bool(m.dryRun);
  const buf = Buffer.allocUnsafe(scope.size() + fieldSize(nameLength) + bytesFieldSize(object) + (dryRun ? 2 : 0));
  let pos = scope.write(buf);
  pos = writeStringField(buf, pos, S5, name, nameLength);
  pos = writeBytesField(buf, pos, S6, object);
  writeBoolField(buf, pos, V7, dryRun);
  return buf;
}

export function encodePatchRequest(m: In<PatchRequest>): Buffer {
  const scope = new ResourceFields(m);
  const name = text(m.name), nameLength = utf8Length(name);
  const patchType = text(m.patchType), patchTypeLength = utf8Length(patchType);
  const subresource = text(m.subresource), subresourceLength = utf8Length(subresource);
  const patch = bytes(m.patch), dryRun = bool(m.dryRun);
  const buf = Buffer.allocUnsafe(scope.size() + fieldSize(nameLength) + fieldSize(patchTypeLength) + bytesFieldSize(patch) + fieldSize(subresourceLength) + (dryRun ? 2 : 0));
  let pos = scope.write(buf);
  pos = writeStringField(buf, pos, S5, name, nameLength);
  pos = writeStringField(buf, pos, S6, patchType, patchTypeLength);
  pos = writeBytesField(buf, pos, S7, patch);
  pos = writeStringField(buf, pos, S8, subresource, subresourceLength);
  writeBoolField(buf, pos, V9, dryRun);
  return buf;
}

export function encodePreconditions(m: In<Preconditions>): Buffer {
  const uid = text(m.uid), uidLength = utf8Length(uid);
  const resourceVersion = text(m.resourceVersion), rvLength = utf8Length(resourceVersion);
  const buf = Buffer.allocUnsafe(fieldSize(uidLength) + fieldSize(rvLength));
  writeStringField(buf, writeStringField(buf, 0, S1, uid, uidLength), S2, resourceVersion, rvLength);
  return buf;
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
  const size = scope.size() + fieldSize(nameLength) + (hasGrace ? 1 + int64Size() : 0) + fieldSize(policyLength) + (preconditions ? delimitedSize(preconditions.length) : 0) + (dryRun ? 2 : 0);
  const buf = Buffer.allocUnsafe(size);
  let pos = scope.write(buf);
  pos = writeStringField(buf, pos, S5, name, nameLength);
  if (hasGrace) {
    buf[pos++] = V6;
    pos = writeInt64(buf, pos);
  }
  pos = writeStringField(buf, pos, S7, propagationPolicy, policyLength);
  if (preconditions) pos = writeBytesField(buf, pos, S8, preconditions, true);
  writeBoolField(buf, pos, V9, dryRun);
  return buf;
}

export function encodeDeleteResponse(m: In<DeleteResponse>): Buffer {
  const object = bytes(m.object), finished = bool(m.finished);
  const buf = Buffer.allocUnsafe(bytesFieldSize(object) + (finished ? 2 : 0));
  writeBoolField(buf, writeBytesField(buf, 0, S1, object), V2, finished);
  return buf;
}

export function encodeBindRequest(m: In<BindRequest>): Buffer {
  const namespace = text(m.namespace), namespaceLength = utf8Length(namespace);
  const name = text(m.name), nameLength = utf8Length(name);
  const nodeName = text(m.nodeName), nodeLength = utf8Length(nodeName);
  const uid = text(m.uid), uidLength = utf8Length(uid);
  const dryRun = bool(m.dryRun);
  const buf = Buffer.allocUnsafe(fieldSize(namespaceLength) + fieldSize(nameLength) + fieldSize(nodeLength) + fieldSize(uidLength) + (dryRun ? 2 : 0));
  let pos = writeStringField(buf, 0, S1, namespace, namespaceLength);
  pos = writeStringField(buf, pos, S2, name, nameLength);
  pos = writeStringField(buf, pos, S3, nodeName, nodeLength);
  pos = writeStringField(buf, pos, S4, uid, uidLength);
  writeBoolField(buf, pos, V5, dryRun);
  return buf;
}

export function encodeObjectResponse(m: In<ObjectResponse>): Buffer {
  const object = bytes(m.object);
  const buf = Buffer.allocUnsafe(bytesFieldSize(object));
  writeBytesField(buf, 0, S1, object);
  return buf;
}
