import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ETCD_CODEC_METHODS } from './etcd-codec';

/** The top-level proto/ folder of the repository (this file runs from packages/proto/dist). */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');

/**
 * How messages look in JavaScript: field names as in the .proto (snake_case), 64-bit integers as
 * decimal strings (lease IDs and cluster IDs use all 64 bits), enums by name, defaults filled in.
 */
export const ETCD_PROTO_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [path.join(PROTO_ROOT, 'etcd')],
});

export type EtcdServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance';

/** The etcdserverpb services as grpc-js service definitions (for `server.addService`). */
export type EtcdServiceDefinitions = Record<EtcdServiceName, grpc.ServiceDefinition>;

export interface EtcdApi {
  KV: grpc.ServiceClientConstructor;
  Watch: grpc.ServiceClientConstructor;
  Lease: grpc.ServiceClientConstructor;
  Cluster: grpc.ServiceClientConstructor;
  Maintenance: grpc.ServiceClientConstructor;
}

const SERVICES: EtcdServiceName[] = ['KV', 'Watch', 'Lease', 'Cluster', 'Maintenance'];

let definitions: EtcdServiceDefinitions | undefined;
let api: EtcdApi | undefined;

/**
 * The etcdserverpb services from rpc.proto, with the hand-written codec (etcd-codec.ts) in place of
 * proto-loader's on the methods every request takes: KV.Range, Put, DeleteRange, Txn and Watch.
 * The messages are the same objects either way; only the CPU they cost differs.
 */
export function etcdServiceDefinitions(): EtcdServiceDefinitions {
  if (definitions) return definitions;
  const loaded = protoLoader.loadSync('rpc.proto', ETCD_PROTO_OPTIONS);
  const out = {} as EtcdServiceDefinitions;
  for (const name of SERVICES) {
    const service = loaded[`etcdserverpb.${name}`] as grpc.ServiceDefinition;
    const codecs = ETCD_CODEC_METHODS[name] ?? {};
    const methods: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [method, definition] of Object.entries(service)) {
      const codec = codecs[method];
      methods[method] = codec
        ? {
            ...definition,
            requestSerialize: codec[0].serialize,
            requestDeserialize: codec[0].deserialize,
            responseSerialize: codec[1].serialize,
            responseDeserialize: codec[1].deserialize,
          }
        : definition;
    }
    out[name] = methods as grpc.ServiceDefinition;
  }
  definitions = out;
  return out;
}

/** The etcdserverpb services, for a grpc-js Server (`.service`) or as client constructors; hot methods use etcd-codec.ts. */
export function loadEtcdApi(): EtcdApi {
  if (api) return api;
  const services = etcdServiceDefinitions();
  const out = {} as EtcdApi;
  for (const name of SERVICES) out[name] = grpc.makeGenericClientConstructor(services[name], name);
  api = out;
  return out;
}
