import * as grpc from '@grpc/grpc-js';
import { connectNats, startHealthServer, type HealthServer, type Logger, type NatsLink } from '@kubelab/component-base';
import { loadEtcdApi } from '@kubelab/proto';
import { Applier } from './apply/applier';
import { startCompactor } from './compactor';
import type { StoreConfig } from './config';
import { Lessor } from './lease/lessor';
import { createStoreMetrics } from './metrics';
import { Backend } from './mvcc/backend';
import { KVStore } from './mvcc/kv-store';
import { WatchableStore } from './mvcc/watchable-store';
import { clusterService } from './server/cluster-service';
import type { ServerContext } from './server/context';
import { kvService } from './server/kv-service';
import { leaseService } from './server/lease-service';
import { maintenanceService } from './server/maintenance-service';
import { loadMember } from './server/member';
import { measuringRequests } from './server/request-size';
import { watchService } from './server/watch-service';

/** gRPC lets a request this much over --max-request-bytes through, so the store can answer "request is too large" (etcd's margin). */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface RunningStore {
  /** The client URLs actually bound (ports resolved). */
  clientUrls: string[];
  healthUrl: string;
  kv: KVStore;
  close(): Promise<void>;
}

/** Opens the data directory, restores state, and serves the etcd API and the health endpoints. */
export async function startStore(config: StoreConfig, log: Logger): Promise<RunningStore> {
  // Each commit's duration goes to etcd_disk_backend_commit_duration_seconds once the metrics exist.
  let observeCommit: ((ms: number) => void) | undefined;
  const backend: Backend = await Backend.open(config.dataDir, (error) => {
    if (error) {
      // The index is ahead of the disk now; the only safe way on is to restart from the disk.
      log.fatal({ err: error.message }, 'backend write failed; exiting so the store restarts from disk');
      process.exit(1);
    }
    observeCommit?.(backend.stats.lastCommitMs);
  });
  const kv = new KVStore(backend);
  const member = await loadMember(backend, config.name, config.initialAdvertisePeerUrls, config.advertiseClientUrls);
  const lessor = new Lessor(kv, { minTTL: 2, memberId: member.id, clock: Date });
  await lessor.restore();
  await kv.restore();
  const watchable = new WatchableStore(kv);
  const applier = new Applier(kv, lessor, config.maxTxnOps);
  const metrics = createStoreMetrics({
    currentRev: () => kv.currentRev,
    keys: () => kv.index.size,
    dbSize: () => backend.sizeOnDisk(),
    leases: () => lessor.leases.size,
  });
  observeCommit = (ms) => metrics.commitDuration.observe(ms / 1000);
  // The parts of every response header that never change, as proto-loader takes uint64: strings.
  const identity = { cluster_id: member.clusterId.toString(), member_id: member.id.toString(), raft_term: String(member.term) };
  const ctx: ServerContext = {
    kv,
    watchable,
    lessor,
    applier,
    member,
    metrics,
    maxRequestBytes: config.maxRequestBytes,
    progressNotifyIntervalMs: config.progressNotifyIntervalMs,
    header: (revision = kv.currentRev) => ({ ...identity, revision }),
  };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxRequestBytes + GRPC_OVERHEAD_BYTES,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_permit_without_calls': 1,
    // channelz bookkeeping costs ~10% of a small request's CPU; nothing here reads it.
    'grpc.enable_channelz': 0,
  });
  const api = loadEtcdApi();
  server.addService(measuringRequests(api.KV.service), kvService(ctx));
  server.addService(api.Watch.service, watchService(ctx));
  server.addService(api.Lease.service, leaseService(ctx));
  server.addService(api.Maintenance.service, maintenanceService(ctx));
  server.addService(api.Cluster.service, clusterService(ctx));
  const clientUrls: string[] = [];
  for (const url of config.listenClientUrls) {
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${url.hostname}:${url.port || 2379}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    clientUrls.push(`http://${url.hostname}:${port}`);
  }

  const stopExpiry = lessor.startExpiryLoop();
  const stopCompactor = startCompactor(kv, config.autoCompactionMode, config.autoCompactionRetention, log);
  const healthServers: HealthServer[] = [];
  for (const url of config.listenMetricsUrls) {
    healthServers.push(
      await startHealthServer({
        host: url.hostname,
        port: Number(url.port || 2381),
        registry: metrics.registry,
        readiness: { backend: () => !kv.backend.closed },
        // etcd's own health endpoint, which etcd tooling and kubeadm probe.
        extraRoutes: { '/health': async () => ({ status: 200, body: { health: 'true' } }) },
      }),
    );
  }
  const nats: NatsLink | undefined = config.natsUrl
    ? connectNats(config.natsUrl, log, () => ({ component: 'store', clientUrls, health: healthServers[0]?.url, pid: process.pid }))
    : undefined;

  log.info({ clientUrls, health: healthServers.map((h) => h.url), dataDir: config.dataDir, revision: kv.currentRev, keys: kv.index.size, leases: lessor.leases.size }, 'store ready');

  return {
    clientUrls,
    healthUrl: healthServers[0]?.url ?? '',
    kv,
    async close() {
      stopExpiry();
      stopCompactor();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await Promise.all(healthServers.map((h) => h.close()));
      await nats?.close();
      await backend.close();
    },
  };
}
