import type { Clock } from './clock';
import { LeaderElector } from './leader-election';
import { LeaseLock } from './lease-lock';
import type { ObjectsClient } from './objects-client';
import { silentLogger, type ClientLogger } from './types';

export interface RunAsLeaderOptions {
  client: ObjectsClient;
  /** false: no election, run at once (a single replica, as `--leader-elect=false`). */
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  /** This replica: "<hostname>_<uuid>" as Kubernetes' components name themselves. */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  clock?: Clock;
  log?: ClientLogger;
  /** The work; `signal` aborts when leadership is lost or the process stops. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * How kube-scheduler and kube-controller-manager run: campaign for the Lease, work while holding
 * it, and when it is lost, stop (the caller exits, as the real components do with "leaderelection
 * lost", and its supervisor restarts it as a standby). Resolves when the work is over; rejects
 * with "leaderelection lost" when leadership was lost rather than stopped.
 */
export async function runAsLeader(options: RunAsLeaderOptions, signal: AbortSignal): Promise<void> {
  if (!options.leaderElect) return options.run(signal);
  let work: Promise<void> | undefined;
  const elector = new LeaderElector({
    lock: new LeaseLock(options.client, options.leaseNamespace, options.leaseName, options.identity),
    leaseDurationMs: options.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs,
    releaseOnCancel: true,
    clock: options.clock,
    log: options.log ?? silentLogger,
    callbacks: {
      onStartedLeading: (leading) => {
        work = options.run(leading);
      },
      onStoppedLeading: () => undefined,
    },
  });
  await elector.run(signal);
  await work;
  if (!signal.aborted && work) throw new Error('leaderelection lost');
}
