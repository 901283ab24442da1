import { countFlag, portFlag, secondsFlag } from '@kubelab/component-base';
import { Command, InvalidArgumentError } from 'commander';
import type { AdmissionConfig } from './registry/generic-registry';
import { DEFAULT_SERVICE_CLUSTER_IP_RANGE, ServiceIPRange } from './registry/service-allocator';

export interface ApiserverConfig {
  etcdServers: string[];
  etcdPrefix: string;
  bindAddress: string;
  port: number;
  /** The object API for the components (gRPC, proto/kubelab/objects.proto); 0: any free port. */
  grpcPort: number;
  /** Address kubectl is told to use (discovery's serverAddressByClientCIDRs). */
  advertiseAddress: string;
  natsUrl?: string;
  logLevel: string;
  /** How often a watch that asked for bookmarks gets one (Kubernetes: about a minute). */
  bookmarkIntervalMs: number;
  /** Serve lists and watches from one in-memory watch cache per resource (kube-apiserver's --watch-cache). */
  watchCache: boolean;
  /** Events each resource's watch cache keeps for watches that resume from an older resourceVersion. */
  watchCacheSize: number;
  /** How often the aggregation layer checks every APIService's backend again (besides on each change). */
  apiServiceCheckIntervalMs: number;
  admission: AdmissionConfig;
  /** The CIDR ClusterIPs come from (kube-apiserver's --service-cluster-ip-range); its first address is the kubernetes Service's, its tenth the cluster DNS's. */
  serviceClusterIPRange: string;
}

/** `kubelab apiserver` flags, named as kube-apiserver's. */
export function parseApiserverFlags(argv: string[]): Readonly<ApiserverConfig> {
  const program = new Command('kubelab apiserver')
    .description('the Kubernetes API (what kubectl talks to), storing objects in the store or a real etcd')
    .exitOverride()
    .option('--etcd-servers <urls>', 'comma-separated etcd v3 endpoints', 'http://127.0.0.1:2379')
    .option('--etcd-prefix <prefix>', 'the prefix of every key in etcd', '/registry')
    .option('--bind-address <ip>', 'the address to serve on', '127.0.0.1')
    .option('--port <port>', 'the port to serve the API on (plain HTTP)', portFlag, 6443)
    .option('--grpc-port <port>', 'the port to serve the object API for the components on (gRPC; 0: any free port)', portFlag, 6444)
    .option('--advertise-address <ip>', 'the address told to clients (default: --bind-address)')
    .option('--nats-url <url>', 'announce the apiserver on NATS')
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--default-watch-cache-size <events>', 'events each watch cache keeps for resuming watches', countFlag, 10_000)
    .option('--watch-cache <bool>', 'serve lists and watches from an in-memory cache per resource', (v) => v !== 'false', true)
    .option('--bookmark-interval <ms>', 'milliseconds between watch bookmarks', portFlag, 60_000)
    .option('--default-not-ready-toleration-seconds <seconds>', 'how long pods tolerate a not-ready node by default', secondsFlag, 300)
    .option('--default-unreachable-toleration-seconds <seconds>', 'how long pods tolerate an unreachable node by default', secondsFlag, 300)
    .option('--service-cluster-ip-range <cidr>', 'the IPv4 range ClusterIPs come from: the first address is the kubernetes Service\'s, the tenth cluster DNS\'s', DEFAULT_SERVICE_CLUSTER_IP_RANGE)
    .option('--apiservice-check-interval <ms>', 'milliseconds between availability checks of the APIServices (and on every change)', countFlag, 5_000);
  program.parse(argv, { from: 'user' });
  const o = program.opts<{ etcdServers: string; etcdPrefix: string; bindAddress: string; port: number; grpcPort: number; advertiseAddress?: string; natsUrl?: string; logLevel: string; bookmarkInterval: number; watchCache: boolean; defaultWatchCacheSize: number; apiserviceCheckInterval: number; defaultNotReadyTolerationSeconds: number; defaultUnreachableTolerationSeconds: number; serviceClusterIpRange: string }>();
  const etcdServers = o.etcdServers.split(',').map((s) => s.trim()).filter(Boolean);
  if (etcdServers.length === 0) throw new InvalidArgumentError('--etcd-servers needs at least one URL');
  let serviceRange: ServiceIPRange;
  try {
    serviceRange = new ServiceIPRange(o.serviceClusterIpRange);
  } catch (error) {
    throw new Error(`--service-cluster-ip-range: ${(error as Error).message}`);
  }
  return Object.freeze({
    etcdServers,
    etcdPrefix: o.etcdPrefix.replace(/\/$/, ''),
    bindAddress: o.bindAddress,
    port: o.port,
    grpcPort: o.grpcPort,
    advertiseAddress: o.advertiseAddress ?? o.bindAddress,
    natsUrl: o.natsUrl,
    logLevel: o.logLevel,
    bookmarkIntervalMs: o.bookmarkInterval,
    watchCache: o.watchCache,
    watchCacheSize: o.defaultWatchCacheSize,
    apiServiceCheckIntervalMs: o.apiserviceCheckInterval,
    serviceClusterIPRange: serviceRange.cidr,
    admission: { defaultNotReadyTolerationSeconds: o.defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds: o.defaultUnreachableTolerationSeconds },
  });
}
