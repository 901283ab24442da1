import { Command, InvalidArgumentError } from 'commander';
import { addLeaderElectionFlags, countFlag, durationFlag, leaderElectionFlags, portFlag, type LeaderElectionFlags } from '@kubelab/component-base';

/** The timings controllers act on; Kubernetes' defaults unless a flag (or the lab's fast profile) says otherwise. */
export interface ControllerTimings {
  /** How often the node lifecycle controller looks at every node (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs: number;
  /** A node whose Lease and status have not moved for this long is NotReady / Unknown (--node-monitor-grace-period, 50 s). */
  nodeMonitorGracePeriodMs: number;
  /** A node that never reported gets this long after it registered (--node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs: number;
}

export interface ControllerManagerConfig {
  /** The apiserver's object API (gRPC), host:port. */
  master: string;
  /** Controllers to run: names, "*" for all that are on by default, "-name" to leave one out. */
  controllers: string[];
  bindAddress: string;
  /** /healthz, /readyz, /metrics. */
  port: number;
  leaderElection: LeaderElectionFlags;
  timings: ControllerTimings;
  loadBalancerIPPool: string[];
  /**
   * Workers of each controller that has a --concurrent-*-syncs flag in Kubernetes (deployment,
   * replicaset, statefulset, daemonset, endpoints, endpointslice, namespace, garbage collector,
   * service load balancer); absent, each runs Kubernetes' default for it.
   */
  concurrentSyncs?: number;
  natsUrl?: string;
  logLevel: string;
}

/** `kubelab controller-manager` flags, named as kube-controller-manager's where it has them. */
export function parseControllerManagerFlags(argv: string[]): Readonly<ControllerManagerConfig> {
  const program = addLeaderElectionFlags(
    new Command('kubelab controller-manager')
      .description('the controllers (deployment, replicaset, endpoints, node lifecycle, garbage collector, ...) that make actual state follow desired state')
      .exitOverride()
      .option('--master <host:port>', "the apiserver's object API (gRPC)", '127.0.0.1:6444')
      .option('--controllers <names>', 'comma-separated controllers to run: "*" for all, "-name" to leave one out', '*')
      .option('--bind-address <ip>', 'the address to serve /healthz and /metrics on', '127.0.0.1')
      .option('--port <port>', 'the port to serve /healthz and /metrics on (0: any free port)', portFlag, 10257)
      .option('--node-monitor-period <duration>', 'how often node health is checked', durationFlag, 5_000)
      .option('--node-monitor-grace-period <duration>', 'how long a node may go unheard before it is marked NotReady', durationFlag, 50_000)
      .option('--node-startup-grace-period <duration>', 'how long a new node may go unheard before it is marked NotReady', durationFlag, 60_000)
      .option('--load-balancer-ip-pool <range>', 'addresses for LoadBalancer Services: FIRST-LAST or a comma-separated list', '127.0.200.1-127.0.200.254')
      .option('--concurrent-syncs <n>', "keys each controller reconciles at once (default: each controller's Kubernetes default)", countFlag)
      .option('--nats-url <url>', 'announce the controller-manager on NATS')
      .option('--log-level <level>', 'pino log level', 'info'),
    'kube-controller-manager',
  );
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  return Object.freeze({
    master: o.master as string,
    controllers: (o.controllers as string).split(',').map((s) => s.trim()).filter(Boolean),
    bindAddress: o.bindAddress as string,
    port: o.port as number,
    leaderElection: leaderElectionFlags(o),
    timings: { nodeMonitorPeriodMs: o.nodeMonitorPeriod as number, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriod as number, nodeStartupGracePeriodMs: o.nodeStartupGracePeriod as number },
    loadBalancerIPPool: ipPool(o.loadBalancerIpPool as string),
    concurrentSyncs: o.concurrentSyncs as number | undefined,
    natsUrl: o.natsUrl as string | undefined,
    logLevel: o.logLevel as string,
  });
}

/** "127.0.200.1-127.0.200.9" or "10.0.0.1,10.0.0.2": the addresses, in order. */
export function ipPool(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [first, last] = part.split('-') as [string, string | undefined];
    const from = ipv4(first);
    const to = last === undefined ? from : ipv4(last);
    if (to < from) throw new InvalidArgumentError(`"${part}": the range ends before it starts`);
    if (to - from > 65_535) throw new InvalidArgumentError(`"${part}": more than 65536 addresses`);
    for (let n = from; n <= to; n++) out.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  }
  return out;
}

function ipv4(text: string): number {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new InvalidArgumentError(`"${text}" is not an IPv4 address`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}
