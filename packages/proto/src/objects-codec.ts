import type * as grpc from '@grpc/grpc-js';
import * as decode from './objects-codec-decode';
import * as encode from './objects-codec-encode';

/**
 * The Objects service (proto/kubelab/objects.proto) as a grpc-js service definition whose
 * messages go through the hand-written codec (objects-codec-encode.ts, objects-codec-decode.ts)
 * instead of protobufjs: every component's calls and every watch event pass here, and
 * protobufjs' generic fromObject/encode and decode/toObject cost about 1.5x (encoding, where
 * copying the object's bytes dominates) to 4x (decoding) more. The JavaScript shapes are the ones @grpc/proto-loader gave with OBJECTS_PROTO_OPTIONS
 * (objects-codec.test.ts compares the two), so handlers and callers did not change. grpc-js
 * stays the transport; only the (de)serialisers are ours.
 */

type Encoder = (message: never) => Buffer;
type Decoder = (bytes: Buffer) => unknown;

const PACKAGE = 'kubelab.objects.v1.Objects';

function method(name: string, request: [Encoder, Decoder], response: [Encoder, Decoder], responseStream = false): grpc.MethodDefinition<unknown, unknown> {
  return {
    path: `/${PACKAGE}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: request[0] as (value: unknown) => Buffer,
    requestDeserialize: request[1],
    responseSerialize: response[0] as (value: unknown) => Buffer,
    responseDeserialize: response[1],
    // As proto-loader names it: grpc-js then also offers `client.get(...)` beside `client.Get(...)`.
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

const GET: [Encoder, Decoder] = [encode.encodeGetRequest, decode.decodeGetRequest];
const LIST: [Encoder, Decoder] = [encode.encodeListRequest, decode.decodeListRequest];
const LIST_RESPONSE: [Encoder, Decoder] = [encode.encodeListResponse, decode.decodeListResponse];
const WATCH: [Encoder, Decoder] = [encode.encodeWatchRequest, decode.decodeWatchRequest];
const WATCH_EVENT: [Encoder, Decoder] = [encode.encodeWatchEvent, decode.decodeWatchEvent];
const CREATE: [Encoder, Decoder] = [encode.encodeCreateRequest, decode.decodeCreateRequest];
const UPDATE: [Encoder, Decoder] = [encode.encodeUpdateRequest, decode.decodeUpdateRequest];
const PATCH: [Encoder, Decoder] = [encode.encodePatchRequest, decode.decodePatchRequest];
const DELETE: [Encoder, Decoder] = [encode.encodeDeleteRequest, decode.decodeDeleteRequest];
const DELETE_RESPONSE: [Encoder, Decoder] = [encode.encodeDeleteResponse, decode.decodeDeleteResponse];
const BIND: [Encoder, Decoder] = [encode.encodeBindRequest, decode.decodeBindRequest];
const OBJECT: [Encoder, Decoder] = [encode.encodeObjectResponse, decode.decodeObjectResponse];

/** kubelab.objects.v1.Objects, method by method, in the order of the .proto. */
export const OBJECTS_SERVICE: grpc.ServiceDefinition = Object.freeze({
  Get: method('Get', GET, OBJECT),
  List: method('List', LIST, LIST_RESPONSE),
  Watch: method('Watch', WATCH, WATCH_EVENT, true),
  Create: method('Create', CREATE, OBJECT),
  Update: method('Update', UPDATE, OBJECT),
  UpdateStatus: method('UpdateStatus', UPDATE, OBJECT),
  Finalize: method('Finalize', UPDATE, OBJECT),
  Patch: method('Patch', PATCH, OBJECT),
  Delete: method('Delete', DELETE, DELETE_RESPONSE),
  Bind: method('Bind', BIND, OBJECT),
});
