import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { campaign, EventRecorder, InformerFactory, componentUserAgent, ObjectsClient, realClock, type Clock } from '@kubelab/client';
import { connectNats, startHealthServer, type Logger, type NatsLink } from '@kubelab/component-base';
import { Registry } from 'prom-client';
import type { ControllerManagerConfig } from './config';
import type { Controller, ControllerContext } from './controller/context';
import { CONTROLLERS } from './controllers';

export interface ControllerManager {
  readonly healthUrl: string;
  readonly identity: string;
  isLeader(): boolean;
  close(): Promise<void>;
}

/** Which controllers `--controllers` selects ("*", "name", "-name"), as kube-controller-manager reads it. */
export function selectControllers(requested: string[], known: string[]): string[] {
  const unknown = requested.map((r) => r.replace(/^-/, '')).filter((r) => r !== '*' && !known.includes(r));
  if (unknown.length) throw new Error(`unknown controllers: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const all = requested.includes('*');
  return known.filter((name) => !requested.includes(`-${name}`) && (all || requested.includes(name)));
}

/**
 * The controller-manager: one process running many controllers on shared informers. With
 * leader election (the default) only the replica holding the `kube-controller-manager` Lease in
 * kube-system runs them; when it loses the Lease it stops every controller, drops its caches
 * and campaigns again, so a standby that took over is never doubled.
 */
export async function startControllerManager(config: ControllerManagerConfig, log: Logger, clock: Clock = realClock): Promise<ControllerManager> {
  const enabled = selectControllers(config.controllers, Object.keys(CONTROLLERS));
  const identity = `${os.hostname()}_${randomUUID()}`;
  const client = new ObjectsClient(config.master, { userAgent: componentUserAgent('kube-controller-manager') });
  const stopping = new AbortController();
  let leading = false;
  const registry = new Registry();
  const health = await startHealthServer({ host: config.bindAddress, port: config.port, registry, readiness: { leaderElection: () => true } });
  const nats: NatsLink | undefined = config.natsUrl
    ? connectNats(config.natsUrl, log, () => ({ component: 'controller-manager', identity, health: health.url, leading, pid: process.pid }))
    : undefined;
  log.info({ health: health.url, master: config.master, controllers: enabled, identity }, 'controller-manager started');

  const term = async (signal: AbortSignal) => {
    leading = true;
    const informers = new InformerFactory({ client, clock, log: log.child({ part: 'informers' }), backoff: { initialMs: 200, maxMs: 5_000 } });
    const recorders = new Map<string, EventRecorder>();
    const ctx: ControllerContext = {
      client,
      informers,
      recorder: (component) => {
        let recorder = recorders.get(component);
        if (!recorder) recorders.set(component, (recorder = new EventRecorder({ client, component, clock, log })));
        return recorder;
      },
      clock,
      log,
      timings: config.timings,
      concurrentSyncs: config.concurrentSyncs,
      loadBalancerIPPool: config.loadBalancerIPPool,
    };
    const controllers: Controller[] = enabled.map((name) => CONTROLLERS[name]!(ctx));
    informers.start();
    try {
      await Promise.all(controllers.map((c) => c.run(signal).catch((error: Error) => log.error({ controller: c.name, err: error.message }, 'controller failed'))));
    } finally {
      leading = false;
      await informers.stop();
      await Promise.all([...recorders.values()].map((r) => r.close()));
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
