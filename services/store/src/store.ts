import { connectNats, startHealthServer, type HealthServer, type Logger, type NatsLink } from '@kubelab/component-base';
import type { GrpcServer } from '@kubelab/proto';
import { Applier } from './apply/applier';
import { startCompactor } from './compactor';
import type { StoreConfig } from './config';
import { Lessor } from './lease/lessor';
import { createStoreMetrics } from './metrics';
import { Backend } from './mvcc/backend';
import { KVStore } from './mvcc/kv-store';
import { WatchableStore } from './mvcc/watchable-store';
import type { ServerContext } from './server/context';
import { startEtcdServer } from './server/etcd-server';
import { loadMember } from './server/member';

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
    streams: new Set(),
    header: (revision = kv.currentRev) => ({ ...identity, revision }),
  };

  // One gRPC server (server/etcd-server.ts) per client URL, all serving the same store.
  const servers: GrpcServer[] = [];
  const clientUrls: string[] = [];
  for (const url of config.listenClientUrls) {
    const server = await startEtcdServer(ctx, { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 2379), log });
    servers.push(server);
    clientUrls.push(`http://${url.hostname}:${server.port}`);
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
      // Open watch and keep-alive streams end with etcd's "server stopped"; unary calls get a moment to finish.
      for (const stop of [...ctx.streams]) stop();
      await Promise.all(servers.map((server) => server.close(2_000)));
      await Promise.all(healthServers.map((h) => h.close()));
      await nats?.close();
      await backend.close();
    },
  };
}
