import type { Command } from 'commander';
import { durationFlag as duration } from './flags';

/** component-base's LeaderElectionConfiguration: the flags kube-scheduler and kube-controller-manager share. */
export interface LeaderElectionFlags {
  /** false (`--leader-elect=false`): a single replica, no election; it works at once. */
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  resourceName: string;
  resourceNamespace: string;
}

/** Adds --leader-elect and its timings, with Kubernetes' defaults (15 s, 10 s, 2 s). */
export function addLeaderElectionFlags(command: Command, resourceName: string): Command {
  return command
    .option('--leader-elect <bool>', 'run several replicas: only the one holding the Lease works', (v) => v !== 'false', true)
    .option('--leader-elect-lease-duration <duration>', 'how long standbys wait after the last renewal before taking over', duration, 15_000)
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader keeps trying to renew before it stops leading', duration, 10_000)
    .option('--leader-elect-retry-period <duration>', 'how often candidates try to acquire and the leader renews', duration, 2_000)
    .option('--leader-elect-resource-name <name>', 'the Lease', resourceName)
    .option('--leader-elect-resource-namespace <namespace>', "the Lease's namespace", 'kube-system');
}

export function leaderElectionFlags(opts: Record<string, unknown>): LeaderElectionFlags {
  return {
    leaderElect: opts.leaderElect as boolean,
    leaseDurationMs: opts.leaderElectLeaseDuration as number,
    renewDeadlineMs: opts.leaderElectRenewDeadline as number,
    retryPeriodMs: opts.leaderElectRetryPeriod as number,
    resourceName: opts.leaderElectResourceName as string,
    resourceNamespace: opts.leaderElectResourceNamespace as string,
  };
}
