import { connectNats, type Logger, type NatsLink } from '@kubelab/component-base';
import { bootstrap } from './bootstrap';
import { startObjectsServer } from './grpc/server';
import type { ApiserverConfig } from './config';
import { prepareSchemas } from './endpoints/field-validation';
import { createApiServer } from './server';
import { EtcdClient } from './storage/etcd-client';
import { ObjectStore } from './storage/object-store';

export interface RunningApiserver {
  url: string;
  grpcPort: number;
  close(): Promise<void>;
}

/** Connects to the store, bootstraps a fresh cluster's objects, and serves the API. */
export async function startApiserver(config: ApiserverConfig, log: Logger): Promise<RunningApiserver> {
  const etcd = new EtcdClient(config.etcdServers);
  const store = new ObjectStore(etcd, config.etcdPrefix, config.watchCache ? { log, size: config.watchCacheSize } : undefined);
  let ready = false;
  const { server, registry, aggregator, closeWatches } = createApiServer({ store, advertiseAddress: `${config.advertiseAddress}:${config.port}`, bookmarkIntervalMs: config.bookmarkIntervalMs, log, ready: () => ready, apiServiceCheckIntervalMs: config.apiServiceCheckIntervalMs, admission: config.admission, serviceClusterIPRange: config.serviceClusterIPRange });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.bindAddress}:${port}`;
  const objects = await startObjectsServer({ registry, bindAddress: config.bindAddress, port: config.grpcPort, bookmarkIntervalMs: config.bookmarkIntervalMs, log });
  // The store may not be up yet: retry the bootstrap with back-off, serving (unready) meanwhile.
  let delay = 200;
  for (;;) {
    try {
      await bootstrap(registry, { address: config.advertiseAddress, port }, log, config.serviceClusterIPRange);
      break;
    } catch (error) {
      log.warn({ err: (error as Error).message, retryInMs: delay }, 'waiting for the store');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
  await aggregator.start();
  // What the first create would otherwise build while a client waits.
  prepareSchemas();
  ready = true;
  const nats: NatsLink | undefined = config.natsUrl ? connectNats(config.natsUrl, log, () => ({ component: 'apiserver', url, pid: process.pid })) : undefined;
  log.info({ url, etcdServers: config.etcdServers }, 'apiserver ready');
  return {
    url,
    grpcPort: objects.port,
    async close() {
      closeWatches();
      aggregator.stop();
      await objects.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await nats?.close();
      store.close();
      etcd.close();
    },
  };
}
