import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventRecorder, componentUserAgent, ObjectsClient, realClock, type Clock } from '@kubelab/client';
import { connectNats, type Logger, type NatsLink } from '@kubelab/component-base';
import { resolveImage } from '@kubelab/images';
import type { KubeletConfig } from './config';
import { startKubeletHealthServer } from './healthz';
import { PodIPAllocator } from './network/ipam';
import { NodeLease } from './nodestatus/node-lease';
import { NodeStatusManager, type NodeImage } from './nodestatus/node-status';
import { PodWorkers } from './pod-workers/pod-workers';
import { ProberManager } from './prober/prober-manager';
import { ProcessRuntime } from './runtime/process-runtime';
import type { ContainerRuntime } from './runtime/types';
import { startKubeletServer } from './server/kubelet-server';
import { StaticPodManager } from './static-pods/static-pod-manager';
import { StatsPublisher } from './stats/publisher';

export interface RunningKubelet {
  /** /healthz on --node-ip:--healthz-port. */
  readonly healthUrl: string;
  /** The kubelet API's port (the one the OS picked with --port 0). */
  readonly port: number;
  /** Stops the kubelet's own work; the containers keep running, for the next kubelet to adopt. */
  close(): Promise<void>;
}

/** Where the pod IPs handed out are kept (host-local IPAM's state), under --root-dir. */
export function ipamStateFile(rootDir: string): string {
  return path.join(rootDir, 'network', 'pod-ips.json');
}

/**
 * Assembles the kubelet (cmd/kubelet's RunKubelet), in the order it needs its parts: the
 * apiserver client and the event recorder (component `kubelet`, host the node); the Node
 * registered (retrying until the apiserver answers) and its status kept; the node Lease; the
 * container runtime (processes, adopted after a restart); the prober; the pod IPs (host-local
 * IPAM over --pod-cidr); the pod workers, which run the pods bound to this node; the kubelet API
 * (gRPC, on --node-ip:--port) for logs, exec, attach and port-forward; the stats publisher (on
 * NATS when --nats-url is given); and last /healthz on --node-ip:--healthz-port.
 *
 * close() stops them in reverse order. Containers are not stopped: as with a real kubelet, a
 * restarted kubelet finds them running and adopts them (`kubelab down` stops them).
 */
export async function startKubelet(config: Readonly<KubeletConfig>, log: Logger, clock: Clock = realClock): Promise<RunningKubelet> {
  const closers: Array<{ what: string; close: () => unknown }> = [];
  const closeAll = async () => {
    for (const { what, close } of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        log.warn({ err: (error as Error).message, part: what }, 'error while stopping');
      }
    }
  };

  try {
    const client = new ObjectsClient(config.master, { userAgent: componentUserAgent('kubelet') });
    closers.push({ what: 'client', close: () => client.close() });
    const recorder = new EventRecorder({ client, component: 'kubelet', host: config.nodeName, clock, log: log.child({ part: 'events' }) });
    // Events written at shutdown (Killing, ...) get a moment to go out.
    closers.push({ what: 'events', close: () => Promise.race([recorder.flush(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]).then(() => recorder.close()) });

    fs.mkdirSync(config.rootDir, { recursive: true });
    const runtime = new ProcessRuntime({ rootDir: config.rootDir, log: log.child({ part: 'runtime' }), housekeepingIntervalMs: config.housekeepingIntervalMs, clock });
    closers.push({ what: 'runtime', close: () => runtime.close() });

    const nodeStatus = new NodeStatusManager({ client, config, recorder, clock, log: log.child({ part: 'nodestatus' }), images: () => nodeImages(runtime) });
    closers.push({ what: 'nodestatus', close: () => (nodeStatus.stop(), nodeStatus.idle()) });
    await nodeStatus.register();
    nodeStatus.start();
    const lease = new NodeLease({ client, nodeName: config.nodeName, leaseDurationSeconds: config.nodeLeaseDurationSeconds, clock, log: log.child({ part: 'lease' }) });
    lease.start();
    closers.push({ what: 'lease', close: () => (lease.stop(), lease.idle()) });

    const probes = new ProberManager({ runtime, recorder, clock, log: log.child({ part: 'prober' }) });
    closers.push({ what: 'prober', close: () => probes.stop() });
    const stateFile = ipamStateFile(config.rootDir);
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    const ipam = new PodIPAllocator({ cidr: config.podCIDR, stateFile });
    const podWorkers = new PodWorkers({
      client,
      nodeName: config.nodeName,
      nodeIP: config.nodeIP,
      runtime,
      probes,
      ipam,
      recorder,
      clock,
      log: log.child({ part: 'pod-workers' }),
      crashLoopBackOff: { initialMs: config.crashLoopBackOffInitialMs, maxMs: config.crashLoopBackOffMaxMs },
      dns: config.clusterDNS ? { nameserver: config.clusterDNS, clusterDomain: config.clusterDomain } : undefined,
    });
    await podWorkers.start();
    closers.push({ what: 'pod-workers', close: () => podWorkers.stop() });
    if (config.podManifestPath) {
      const staticPods = new StaticPodManager({
        client,
        nodeName: config.nodeName,
        nodeIP: config.nodeIP,
        manifestDir: config.podManifestPath,
        pods: podWorkers.pods,
        recorder,
        clock,
        log: log.child({ part: 'static-pods' }),
      });
      staticPods.start();
      closers.push({ what: 'static-pods', close: () => staticPods.stop() });
    }

    const server = await startKubeletServer({ host: config.nodeIP, port: config.port, streams: podWorkers.streams, log: log.child({ part: 'server' }) });
    closers.push({ what: 'server', close: () => server.close() });

    let healthUrl = '';
    const nats: NatsLink | undefined = config.natsUrl
      ? connectNats(config.natsUrl, log, () => ({ component: 'kubelet', node: config.nodeName, health: healthUrl, pid: process.pid }))
      : undefined;
    if (nats) closers.push({ what: 'nats', close: () => nats.close() });
    const stats = new StatsPublisher({ nats, nodeName: config.nodeName, runtime, pods: () => podWorkers.runningPods(), intervalMs: config.housekeepingIntervalMs, clock, log: log.child({ part: 'stats' }) });
    stats.start();
    closers.push({ what: 'stats', close: () => stats.stop() });

    const health = await startKubeletHealthServer({ host: config.nodeIP, port: config.healthzPort, checks: { registered: () => nodeStatus.registered } });
    healthUrl = health.url;
    closers.push({ what: 'healthz', close: () => health.close() });

    log.info({ node: config.nodeName, nodeIP: config.nodeIP, port: server.port, health: health.url, podCIDR: config.podCIDR, master: config.master }, 'kubelet started');
    return {
      healthUrl: health.url,
      port: server.port,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** status.images: the catalogue images this node's containers were started from. */
function nodeImages(runtime: ContainerRuntime): NodeImage[] {
  const images = new Map<string, NodeImage>();
  for (const container of runtime.listContainers()) {
    const resolved = resolveImage(container.image);
    if (!resolved || images.has(resolved.imageID)) continue;
    images.set(resolved.imageID, { names: [resolved.imageID, resolved.reference], sizeBytes: resolved.definition.sizeBytes });
  }
  return [...images.values()];
}
