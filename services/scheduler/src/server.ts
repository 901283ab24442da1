import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { campaign, EventRecorder, Informer, InformerFactory, componentUserAgent, ObjectsClient, Resources, realClock, type Clock } from '@kubelab/client';
import { connectNats, startHealthServer, type Logger, type NatsLink } from '@kubelab/component-base';
import { Registry } from 'prom-client';
import type { SchedulerConfig } from './config';
import { SchedulerMetrics } from './metrics';
import { Scheduler } from './scheduler';

export interface RunningScheduler {
  readonly healthUrl: string;
  readonly identity: string;
  isLeader(): boolean;
  close(): Promise<void>;
}

/** Pods that are over (Succeeded, Failed) hold no room: the scheduler does not even see them. */
const NON_TERMINAL_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

/**
 * kube-scheduler's process (cmd/kube-scheduler/app/server.go): /healthz and /metrics at once,
 * then, with leader election (the default), only the replica holding the `kube-scheduler` Lease
 * in kube-system schedules. Each leadership term starts from fresh informers, cache and queue;
 * a lost Lease stops the term and the replica campaigns again, so a standby that took over is
 * never doubled.
 */
export async function startScheduler(config: SchedulerConfig, log: Logger, clock: Clock = realClock): Promise<RunningScheduler> {
  const identity = `${os.hostname()}_${randomUUID()}`;
  const client = new ObjectsClient(config.master, { userAgent: componentUserAgent('kube-scheduler') });
  const stopping = new AbortController();
  let leading = false;
  const registry = new Registry();
  const metrics = new SchedulerMetrics(registry);
  const health = await startHealthServer({ host: config.bindAddress, port: config.port, registry, readiness: { leaderElection: () => true } });
  const nats: NatsLink | undefined = config.natsUrl ? connectNats(config.natsUrl, log, () => ({ component: 'scheduler', identity, health: health.url, pid: process.pid })) : undefined;
  log.info({ health: health.url, master: config.master, schedulerName: config.schedulerName, identity }, 'scheduler started');

  const term = async (signal: AbortSignal) => {
    leading = true;
    const backoff = { initialMs: 200, maxMs: 5_000 };
    const factory = new InformerFactory({ client, clock, log: log.child({ part: 'informers' }), backoff });
    const pods = new Informer({ client, resource: Resources.pods, fieldSelector: NON_TERMINAL_PODS, clock, log: log.child({ part: 'informers' }), backoff });
    const informers = { pods, nodes: factory.informer(Resources.nodes), namespaces: factory.informer(Resources.namespaces), factory };
    // kube-scheduler records through the events.k8s.io broadcaster, which writes each event on its
    // own goroutine: not one at a time as core/v1's does. A burst's Scheduled events (one per pod)
    // go a few at once here too, each costing less CPU that way; one pod's events keep their order.
    const recorder = new EventRecorder({ client, component: config.schedulerName, clock, log });
    const scheduler = new Scheduler({
      client,
      informers,
      recorder,
      clock,
      log,
      schedulerName: config.schedulerName,
      podInitialBackoffMs: config.podInitialBackoffMs,
      podMaxBackoffMs: config.podMaxBackoffMs,
      metrics,
    });
    pods.start();
    factory.start();
    try {
      const aborted = new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      // Scheduling on a half-filled cache would double-book nodes: wait, however long the apiserver takes.
      for (let synced = false; !synced && !signal.aborted; ) {
        await Promise.race([Promise.all([pods.waitForSync(), factory.waitForSync()]).then(() => (synced = true)), aborted]).catch((error: Error) => log.warn({ err: error.message }, 'waiting for the informers to sync'));
      }
      if (!signal.aborted) {
        log.info({ nodes: scheduler.cache.nodeCount(), pods: scheduler.cache.podCount() }, 'caches synced; scheduling');
        await scheduler.run(signal);
      }
    } finally {
      leading = false;
      await Promise.all([pods.stop(), factory.stop()]);
      await recorder.close();
    }
  };

  const running = campaign({ client, election: config.leaderElection, identity, clock, log, run: term }, stopping.signal);

  return {
    healthUrl: health.url,
    identity,
    isLeader: () => leading,
    close: async () => {
      stopping.abort();
      await running;
      await health.close();
      await nats?.close();
      client.close();
    },
  };
}
