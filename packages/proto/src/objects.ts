import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT } from './etcd';
import { OBJECTS_SERVICE } from './objects-codec';

/**
 * How object API messages look in JavaScript: camelCase fields (`labelSelector`,
 * `resourceVersion`, as the REST query parameters are spelled), int64 as numbers (limits and
 * seconds never need 64 bits), enums by name (`'ADDED'`), defaults filled in, so a missing string
 * is `''` — except `optional` fields, which stay absent when unset.
 */
export const OBJECTS_PROTO_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [path.join(PROTO_ROOT, 'kubelab')],
});

/** The metadata key carrying the Kubernetes Status JSON of a failed call (`-bin`: binary value). */
export const STATUS_METADATA_KEY = 'kubelab-status-bin';

export interface ObjectsApi {
  Objects: grpc.ServiceClientConstructor;
}

let cached: ObjectsApi | undefined;

/**
 * The kubelab.objects.v1 package: `Objects.service` for a grpc-js Server, or the client
 * constructor. Its messages go through the hand-written codec (objects-codec.ts), which gives
 * the shapes proto-loader gives with OBJECTS_PROTO_OPTIONS at a fraction of the CPU.
 */
export function loadObjectsApi(): ObjectsApi {
  cached ??= { Objects: grpc.makeGenericClientConstructor(OBJECTS_SERVICE, 'Objects') };
  return cached;
}

/**
 * The same service as protobufjs reads objects.proto (what loadObjectsApi gave before the
 * hand-written codec): the reference the codec is tested against, and a way to check that the
 * .proto and the codec still agree after a change to either.
 */
export function loadObjectsProtoDefinition(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync('objects.proto', OBJECTS_PROTO_OPTIONS);
  return definition['kubelab.objects.v1.Objects'] as grpc.ServiceDefinition;
}
