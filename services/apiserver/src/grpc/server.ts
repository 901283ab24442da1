import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@kubelab/component-base';
import { loadObjectsApi } from '@kubelab/proto';
import type { GenericRegistry } from '../registry/generic-registry';
import { unaryHandlers, type ObjectsContext } from './handlers';
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
  close(): Promise<void>;
}

/**
 * The object API for the components (proto/kubelab/objects.proto) on its own gRPC port, next to
 * the REST API kubectl uses. Both reach the same GenericRegistry, so a pod created over one is
 * seen over the other.
 */
export async function startObjectsServer(options: ObjectsServerOptions): Promise<ObjectsServer> {
  const ctx: ObjectsContext = { registry: options.registry, bookmarkIntervalMs: options.bookmarkIntervalMs, log: options.log, watches: new Set() };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    // Components keep a watch open for hours and ping to find out that a link died.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    // channelz bookkeeping costs CPU on every call and nothing here reads it.
    'grpc.enable_channelz': 0,
  });
  server.addService(loadObjectsApi().Objects.service, { ...unaryHandlers(ctx), Watch: watchHandler(ctx) } as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.bindAddress}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  options.log.info({ address: `${options.bindAddress}:${port}` }, 'objects API serving gRPC');
  return {
    port,
    async close() {
      for (const finish of [...ctx.watches]) finish();
      // Open unary calls get a moment to finish; then the rest is cut.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
