import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { OBJECTS_PROTO_OPTIONS } from './objects';

/**
 * The kubelet API messages look as the object API's do (camelCase, int64 as numbers, defaults
 * filled in, `optional` fields absent when unset), and a oneof names its set member in a virtual
 * `message` field: `{ message: 'stdout', stdout: <Buffer> }`.
 */
export const KUBELET_PROTO_OPTIONS: protoLoader.Options = OBJECTS_PROTO_OPTIONS;

export interface KubeletApi {
  Kubelet: grpc.ServiceClientConstructor;
}

let cached: KubeletApi | undefined;

/** The kubelab.kubelet.v1 package: `Kubelet.service` for the kubelet's gRPC server, or the apiserver's client constructor. */
export function loadKubeletApi(): KubeletApi {
  if (cached) return cached;
  const definition = protoLoader.loadSync('kubelet.proto', KUBELET_PROTO_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as { kubelab: { kubelet: { v1: KubeletApi } } };
  cached = root.kubelab.kubelet.v1;
  return cached;
}
