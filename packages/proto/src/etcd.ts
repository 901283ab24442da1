import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

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

export interface EtcdApi {
  KV: grpc.ServiceClientConstructor;
  Watch: grpc.ServiceClientConstructor;
  Lease: grpc.ServiceClientConstructor;
  Cluster: grpc.ServiceClientConstructor;
  Maintenance: grpc.ServiceClientConstructor;
}

let cached: EtcdApi | undefined;

/** The etcdserverpb services, for a grpc-js Server (`.service`) or as client constructors. */
export function loadEtcdApi(): EtcdApi {
  if (cached) return cached;
  const definition = protoLoader.loadSync('rpc.proto', ETCD_PROTO_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as { etcdserverpb: EtcdApi };
  cached = root.etcdserverpb;
  return cached;
}
