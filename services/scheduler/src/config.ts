import { Command, InvalidArgumentError } from 'commander';
import { addLeaderElectionFlags, leaderElectionFlags, portFlag, type LeaderElectionFlags } from '@kubelab/component-base';

export interface SchedulerConfig {
  /** The apiserver's object API (gRPC), host:port. */
  master: string;
  bindAddress: string;
  /** /healthz, /readyz, /metrics. */
  port: number;
  leaderElection: LeaderElectionFlags;
  /** The profile: pods whose spec.schedulerName is this are scheduled here. */
  schedulerName: string;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  natsUrl?: string;
  logLevel: string;
}

/** `kubelab scheduler` flags, named as kube-scheduler's where it has them. */
export function parseSchedulerFlags(argv: string[]): Readonly<SchedulerConfig> {
  const program = addLeaderElectionFlags(
    new Command('kubelab scheduler')
      .description('assigns each pending pod to a node through a framework of plugins (filter, score, preempt), and binds it')
      .exitOverride()
      .option('--master <host:port>', "the apiserver's object API (gRPC)", '127.0.0.1:6444')
      .option('--bind-address <ip>', 'the address to serve /healthz and /metrics on', '127.0.0.1')
      .option('--port <port>', 'the port to serve /healthz and /metrics on (0: any free port)', portFlag, 10259)
      .option('--scheduler-name <name>', 'schedule the pods whose spec.schedulerName is this', 'default-scheduler')
      .option('--pod-initial-backoff-seconds <n>', 'the back-off of a pod after its first failed attempt; it doubles with each', seconds, 1)
      .option('--pod-max-backoff-seconds <n>', 'the longest back-off of a pod', seconds, 10)
      .option('--nats-url <url>', 'announce the scheduler on NATS')
      .option('--log-level <level>', 'pino log level', 'info'),
    'kube-scheduler',
  );
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  if ((o.podMaxBackoffSeconds as number) < (o.podInitialBackoffSeconds as number)) throw new Error('--pod-max-backoff-seconds must be at least --pod-initial-backoff-seconds');
  return Object.freeze({
    master: o.master as string,
    bindAddress: o.bindAddress as string,
    port: o.port as number,
    leaderElection: leaderElectionFlags(o),
    schedulerName: o.schedulerName as string,
    podInitialBackoffMs: (o.podInitialBackoffSeconds as number) * 1000,
    podMaxBackoffMs: (o.podMaxBackoffSeconds as number) * 1000,
    natsUrl: o.natsUrl as string | undefined,
    logLevel: o.logLevel as string,
  });
}


function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return n;
}
