import type { LeaderElectionFlags } from '@kubelab/component-base';
import type { Clock } from './clock';
import { LeaderElector } from './leader-election';
import { LeaseLock } from './lease-lock';
import type { ObjectsClient } from './objects-client';
import { silentLogger, type ClientLogger } from './types';

export interface RunAsLeaderOptions {
  client: ObjectsClient;
  /** The component's --leader-elect* flags; `leaderElect` false: no election, run at once. */
  election: LeaderElectionFlags;
  /** This replica: "<hostname>_<uuid>" as Kubernetes' components name themselves. */
  identity: string;
  clock?: Clock;
  log?: ClientLogger;
  /** One term of work; `signal` aborts when leadership is lost or the process stops. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * One term, as kube-scheduler and kube-controller-manager run: campaign for the Lease, work while
 * holding it, stop when it is lost. Resolves when the work is over; rejects with "leaderelection
 * lost" when leadership was lost rather than stopped.
 */
export async function runAsLeader(options: RunAsLeaderOptions, signal: AbortSignal): Promise<void> {
  const { election } = options;
  if (!election.leaderElect) return options.run(signal);
  let work: Promise<void> | undefined;
  const elector = new LeaderElector({
    lock: new LeaseLock(options.client, election.resourceNamespace, election.resourceName, options.identity),
    leaseDurationMs: election.leaseDurationMs,
    renewDeadlineMs: election.renewDeadlineMs,
    retryPeriodMs: election.retryPeriodMs,
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

/**
 * Term after term until stopped. The real components exit on "leaderelection lost" and let their
 * supervisor restart them as standbys; kubelab's components campaign again in the same process
 * (each term starts from fresh caches), so the lab needs no supervisor to heal.
 */
export async function campaign(options: RunAsLeaderOptions, signal: AbortSignal): Promise<void> {
  if (!options.election.leaderElect) return options.run(signal);
  while (!signal.aborted) {
    try {
      await runAsLeader(options, signal);
    } catch (error) {
      (options.log ?? silentLogger).warn({ err: (error as Error).message }, 'leader election lost; campaigning again');
    }
  }
}
