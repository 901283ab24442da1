import { etcdServiceDefinitions, startGrpcServer, type EtcdServiceName, type GrpcMethod, type GrpcServer, type GrpcServerLogger } from '@kubelab/proto';
import { clusterService } from './cluster-service';
import type { ServerContext } from './context';
import { kvService } from './kv-service';
import { leaseService } from './lease-service';
import { maintenanceService } from './maintenance-service';
import { measuring } from './request-size';
import { toCallStatus } from '../errors';
import type { ServiceHandlers } from './unary';
import { watchService } from './watch-service';

/**
 * gRPC lets a request this much over --max-request-bytes through, so the store can answer
 * "request is too large" itself (etcd's margin: its gRPC receive limit is --max-request-bytes +
 * 512 KiB); beyond it the transport refuses the message (RESOURCE_EXHAUSTED).
 */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

/**
 * Bytes a watch stream may have waiting for a client that does not read before it is cut. Higher
 * than the apiserver's: a watch from an old revision replays history as fast as the backend reads
 * it, and grpc.Server, which served the store before, queued without limit.
 */
const MAX_QUEUED_BYTES = 256 << 20;

export interface EtcdServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  log: GrpcServerLogger;
}

/**
 * The etcd v3 API (etcdserverpb KV, Watch, Lease, Maintenance, Cluster) on @kubelab/proto's gRPC
 * server (node:http2): each method's handler from the service files, its codecs from
 * @kubelab/proto (hand-written ones on the hot methods, proto-loader's on the rest).
 */
export function startEtcdServer(ctx: ServerContext, options: EtcdServerOptions): Promise<GrpcServer> {
  return startGrpcServer({
    bindAddress: options.host,
    port: options.port,
    methods: etcdMethods(ctx),
    statusOf: toCallStatus,
    maxReceiveMessageBytes: ctx.maxRequestBytes + GRPC_OVERHEAD_BYTES,
    maxQueuedBytes: MAX_QUEUED_BYTES,
    log: options.log,
  });
}

/** Every method of the five services by path, `/etcdserverpb.<Service>/<Method>`; one the store does not implement is UNIMPLEMENTED. */
function etcdMethods(ctx: ServerContext): Map<string, GrpcMethod> {
  const services: Record<EtcdServiceName, ServiceHandlers> = {
    KV: kvService(ctx),
    Watch: watchService(ctx),
    Lease: leaseService(ctx),
    Maintenance: maintenanceService(ctx),
    Cluster: clusterService(ctx),
  };
  const definitions = etcdServiceDefinitions();
  const methods = new Map<string, GrpcMethod>();
  for (const [service, handlers] of Object.entries(services) as Array<[EtcdServiceName, ServiceHandlers]>) {
    for (const [name, handler] of Object.entries(handlers)) {
      const definition = definitions[service][name];
      if (!definition) throw new Error(`etcdserverpb.${service} has no method ${name}`);
      let decode = owned(definition.requestDeserialize as (bytes: Buffer) => never);
      // Writes are checked against --max-request-bytes, which needs each request's wire size.
      if (service === 'KV') decode = measuring(decode);
      const encode = definition.responseSerialize as (message: unknown) => Buffer;
      if (handler.kind === 'bidi') {
        if (!definition.requestStream || !definition.responseStream) throw new Error(`${definition.path} is not bidirectional`);
        methods.set(definition.path, { requestStream: true, responseStream: true, decode, encode, open: handler.open });
      } else {
        if (definition.requestStream || definition.responseStream) throw new Error(`${definition.path} is not unary`);
        methods.set(definition.path, { responseStream: false, decode, encode, handle: handler.handle });
      }
    }
  }
  return methods;
}

/**
 * Decodes from a copy of the message: the transport hands a view into the connection's read
 * buffer, and the decoded keys and values are views into what they are decoded from; the store
 * keeps them (each key's newest value is cached in its KeyIndex), which would keep whole read
 * buffers alive. A copy of the message alone is what grpc.Server's decoder handed over.
 */
function owned<T>(decode: (bytes: Buffer) => T): (bytes: Buffer) => T {
  return (bytes) => decode(Buffer.from(bytes));
}
