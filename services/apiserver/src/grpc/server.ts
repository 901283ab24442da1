import type { Logger } from '@kubelab/component-base';
import { OBJECTS_SERVICE, startGrpcServer, type GrpcMethod } from '@kubelab/proto';
import type { GenericRegistry } from '../registry/generic-registry';
import { unaryHandlers, type ObjectsContext } from './handlers';
import { toCallStatus } from './status';
import { watchHandler } from './watch';

export interface ObjectsServerOptions {
  registry: GenericRegistry;
  bindAddress: string;
  /** 0: any free port. */
  port: number;
  bookmarkIntervalMs: number;
  log: Logger;
}

export interface ObjectsServer {
  /** The port it listens on (the chosen one, when asked for 0). */
  port: number;
  /** Watches open now. */
  readonly openWatches: number;
  close(): Promise<void>;
}

/** The largest request message accepted, as grpc.Server's `grpc.max_receive_message_length` was set. */
export const MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The object API for the components (proto/kubelab/objects.proto) on its own gRPC port, next to
 * the REST API kubectl uses. Both reach the same GenericRegistry, so a pod created over one is
 * seen over the other. The transport is @kubelab/proto's grpc-server.ts (gRPC on node:http2); the messages go
 * through @kubelab/proto's hand-written codecs (OBJECTS_SERVICE).
 */
export async function startObjectsServer(options: ObjectsServerOptions): Promise<ObjectsServer> {
  const ctx: ObjectsContext = { registry: options.registry, bookmarkIntervalMs: options.bookmarkIntervalMs, log: options.log, watches: new Set() };
  const server = await startGrpcServer({
    bindAddress: options.bindAddress,
    port: options.port,
    methods: objectsMethods(ctx),
    statusOf: toCallStatus,
    maxReceiveMessageBytes: MAX_RECEIVE_MESSAGE_BYTES,
    log: options.log,
  });
  options.log.info({ address: `${options.bindAddress}:${server.port}` }, 'objects API serving gRPC');
  return {
    port: server.port,
    get openWatches() {
      return ctx.watches.size;
    },
    async close() {
      // Watches end with status OK (clients resume elsewhere or later); open unary calls get a moment to finish.
      for (const finish of [...ctx.watches]) finish();
      await server.close(2_000);
    },
  };
}

/** Every method of OBJECTS_SERVICE with its handler and codecs, by path. */
function objectsMethods(ctx: ObjectsContext): Map<string, GrpcMethod> {
  const unary = unaryHandlers(ctx);
  const methods = new Map<string, GrpcMethod>();
  for (const [name, definition] of Object.entries(OBJECTS_SERVICE)) {
    const decode = definition.requestDeserialize as (bytes: Buffer) => never;
    const encode = definition.responseSerialize as (message: never) => Buffer;
    if (definition.responseStream) {
      if (name !== 'Watch') throw new Error(`no handler for the streaming method ${name}`);
      methods.set(definition.path, { responseStream: true, decode, encode, handle: watchHandler(ctx) });
    } else {
      const handle = unary[name];
      if (!handle) throw new Error(`no handler for the method ${name}`);
      methods.set(definition.path, { responseStream: false, decode, encode, handle });
    }
  }
  return methods;
}
