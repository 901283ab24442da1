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
import { WireReader } from './protobuf-wire';

/**
 * The decoders of objects.proto's messages, by hand, giving exactly what @grpc/proto-loader gave
 * with OBJECTS_PROTO_OPTIONS: every field present with its default ('', 0, false, an empty
 * Buffer, null for a message, [] for a repeated field), in the order of the .proto; int64 as a
 * number; the enum by name (an unknown number stays a number); bytes as Buffer views into the
 * received message. A field seen twice keeps the last value, as protobufjs keeps it. The one
 * `optional` field (DeleteRequest.gracePeriodSeconds) is absent unless sent, and when sent comes
 * with proto-loader's oneof marker `_gracePeriodSeconds: 'gracePeriodSeconds'`. Unknown fields
 * are skipped; a known field number with another wire type is skipped too (protobufjs would
 * misread it).
 */

/** A placeholder for a bytes field until the message is read: proto-loader gives each message its own empty Buffer. */
const UNSET = undefined as unknown as Buffer;

function orEmpty(value: Buffer): Buffer {
  return value === UNSET ? Buffer.alloc(0) : value;
}

export function decodeGetRequest(bytes: Uint8Array): GetRequest {
  const r = new WireReader(bytes);
  const m: GetRequest = { group: '', version: '', resource: '', namespace: '', name: '' };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.name = r.string();
    else r.skip(t);
  }
  return m;
}

export function decodeListRequest(bytes: Uint8Array): ListRequest {
  const r = new WireReader(bytes);
  const m: ListRequest = { group: '', version: '', resource: '', namespace: '', labelSelector: '', fieldSelector: '', limit: 0, continue: '' };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.labelSelector = r.string();
    else if (t === S6) m.fieldSelector = r.string();
    else if (t === V7) m.limit = r.int64Number();
    else if (t === S8) m.continue = r.string();
    else r.skip(t);
  }
  return m;
}

export function decodeListResponse(bytes: Uint8Array): ListResponse {
  const r = new WireReader(bytes);
  const m: ListResponse = { items: [], resourceVersion: '', continue: '', remainingItemCount: 0 };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.items.push(r.bytes());
    else if (t === S2) m.resourceVersion = r.string();
    else if (t === S3) m.continue = r.string();
    else if (t === V4) m.remainingItemCount = r.int64Number();
    else r.skip(t);
  }
  return m;
}

export function decodeWatchRequest(bytes: Uint8Array): WatchRequest {
  const r = new WireReader(bytes);
  const m: WatchRequest = { group: '', version: '', resource: '', namespace: '', labelSelector: '', fieldSelector: '', resourceVersion: '', allowBookmarks: false, timeoutSeconds: 0 };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.labelSelector = r.string();
    else if (t === S6) m.fieldSelector = r.string();
    else if (t === S7) m.resourceVersion = r.string();
    else if (t === V8) m.allowBookmarks = r.uint32() !== 0;
    else if (t === V9) m.timeoutSeconds = r.int64Number();
    else r.skip(t);
  }
  return m;
}

/** WatchEvent.EventType by number. */
const EVENT_TYPE_NAMES = ['EVENT_TYPE_UNSPECIFIED', 'ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] as const;

export function decodeWatchEvent(bytes: Uint8Array): WatchEvent {
  const r = new WireReader(bytes);
  const m: WatchEvent = { type: 'EVENT_TYPE_UNSPECIFIED', object: UNSET };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === V1) {
      const value = r.uint32() | 0;
      m.type = EVENT_TYPE_NAMES[value] ?? (value as unknown as WatchEvent['type']);
    } else if (t === S2) m.object = r.bytes();
    else r.skip(t);
  }
  m.object = orEmpty(m.object as Buffer);
  return m;
}

export function decodeCreateRequest(bytes: Uint8Array): CreateRequest {
  const r = new WireReader(bytes);
  const m: CreateRequest = { group: '', version: '', resource: '', namespace: '', object: UNSET, dryRun: false };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.object = r.bytes();
    else if (t === V6) m.dryRun = r.uint32() !== 0;
    else r.skip(t);
  }
  m.object = orEmpty(m.object as Buffer);
  return m;
}

export function decodeUpdateRequest(bytes: Uint8Array): UpdateRequest {
  const r = new WireReader(bytes);
  const m: UpdateRequest = { group: '', version: '', resource: '', namespace: '', name: '', object: UNSET, dryRun: false };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.name = r.string();
    else if (t === S6) m.object = r.bytes();
    else if (t === V7) m.dryRun = r.uint32() !== 0;
    else r.skip(t);
  }
  m.object = orEmpty(m.object as Buffer);
  return m;
}

export function decodePatchRequest(bytes: Uint8Array): PatchRequest {
  const r = new WireReader(bytes);
  const m: PatchRequest = { group: '', version: '', resource: '', namespace: '', name: '', patchType: '', patch: UNSET, subresource: '', dryRun: false };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.name = r.string();
    else if (t === S6) m.patchType = r.string();
    else if (t === S7) m.patch = r.bytes();
    else if (t === S8) m.subresource = r.string();
    else if (t === V9) m.dryRun = r.uint32() !== 0;
    else r.skip(t);
  }
  m.patch = orEmpty(m.patch as Buffer);
  return m;
}

function readPreconditions(r: WireReader): Preconditions {
  const m: Preconditions = { uid: '', resourceVersion: '' };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.uid = r.string();
    else if (t === S2) m.resourceVersion = r.string();
    else r.skip(t);
  }
  return m;
}

export function decodePreconditions(bytes: Uint8Array): Preconditions {
  return readPreconditions(new WireReader(bytes));
}

/** DeleteRequest as proto-loader gives it: the `optional` field and its oneof marker come last, when sent. */
export type DecodedDeleteRequest = DeleteRequest & { _gracePeriodSeconds?: 'gracePeriodSeconds' };

export function decodeDeleteRequest(bytes: Uint8Array): DecodedDeleteRequest {
  const r = new WireReader(bytes);
  const m: DecodedDeleteRequest = { group: '', version: '', resource: '', namespace: '', name: '', propagationPolicy: '', preconditions: null, dryRun: false };
  let gracePeriodSeconds: number | undefined;
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.group = r.string();
    else if (t === S2) m.version = r.string();
    else if (t === S3) m.resource = r.string();
    else if (t === S4) m.namespace = r.string();
    else if (t === S5) m.name = r.string();
    else if (t === V6) gracePeriodSeconds = r.int64Number();
    else if (t === S7) m.propagationPolicy = r.string();
    else if (t === S8) m.preconditions = readPreconditions(r.message());
    else if (t === V9) m.dryRun = r.uint32() !== 0;
    else r.skip(t);
  }
  if (gracePeriodSeconds !== undefined) {
    m.gracePeriodSeconds = gracePeriodSeconds;
    m._gracePeriodSeconds = 'gracePeriodSeconds';
  }
  return m;
}

export function decodeDeleteResponse(bytes: Uint8Array): DeleteResponse {
  const r = new WireReader(bytes);
  const m: DeleteResponse = { object: UNSET, finished: false };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.object = r.bytes();
    else if (t === V2) m.finished = r.uint32() !== 0;
    else r.skip(t);
  }
  m.object = orEmpty(m.object as Buffer);
  return m;
}

export function decodeBindRequest(bytes: Uint8Array): BindRequest {
  const r = new WireReader(bytes);
  const m: BindRequest = { namespace: '', name: '', nodeName: '', uid: '', dryRun: false };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.namespace = r.string();
    else if (t === S2) m.name = r.string();
    else if (t === S3) m.nodeName = r.string();
    else if (t === S4) m.uid = r.string();
    else if (t === V5) m.dryRun = r.uint32() !== 0;
    else r.skip(t);
  }
  return m;
}

export function decodeObjectResponse(bytes: Uint8Array): ObjectResponse {
  const r = new WireReader(bytes);
  const m: ObjectResponse = { object: UNSET };
  while (r.pos < r.end) {
    const t = r.uint32();
    if (t === S1) m.object = r.bytes();
    else r.skip(t);
  }
  m.object = orEmpty(m.object as Buffer);
  return m;
}
