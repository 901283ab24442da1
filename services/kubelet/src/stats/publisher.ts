import { realClock, type Clock } from '@kubelab/client';
import type { Logger, NatsLink } from '@kubelab/component-base';
import type { ContainerRuntime } from '../runtime/types';
import { STATS_SUBJECT, type NodeStatsSample, type PodStatsSample } from './types';

/** A running pod as the pod workers list it: which containers to measure. */
export interface RunningPod {
  namespace: string;
  name: string;
  uid: string;
  containers: Array<{ name: string; id: string }>;
}

/** The kubelet's own process: CPU time used so far (µs, user + system) and resident memory (bytes). */
export interface ProcessUsage {
  cpuMicros: number;
  rssBytes: number;
}

export interface StatsPublisherOptions {
  nats: NatsLink | undefined;
  nodeName: string;
  runtime: Pick<ContainerRuntime, 'stats'>;
  pods: () => RunningPod[];
  intervalMs: number;
  clock?: Clock;
  log: Logger;
  /** How the kubelet's own use is read (default: process.cpuUsage / process.memoryUsage.rss). */
  selfUsage?: () => ProcessUsage;
}

function processUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
}

/**
 * The kubelet's resource stats (its Summary API, pushed instead of scraped): every housekeeping
 * interval, each running container's CPU and memory as the runtime measured them, per pod, and
 * the node's total — its containers plus the kubelet's own process. The sample is published as
 * JSON on NATS subject `kubelab.stats.<node>` for metrics-server; without NATS (or while it is
 * away) the latest sample is only kept, for sample().
 */
export class StatsPublisher {
  private readonly clock: Clock;
  private readonly selfUsage: () => ProcessUsage;
  private latest: NodeStatsSample;
  private previousSelf: { at: number; cpuMicros: number };
  private timer: ReturnType<Clock['setTimeout']> | undefined;
  private stopped = false;

  constructor(private readonly options: StatsPublisherOptions) {
    this.clock = options.clock ?? realClock;
    this.selfUsage = options.selfUsage ?? processUsage;
    this.previousSelf = { at: this.clock.now(), cpuMicros: this.selfUsage().cpuMicros };
    this.latest = this.emptySample();
  }

  /** Samples and publishes every interval. */
  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      try {
        this.collect();
      } catch (error) {
        this.options.log.warn({ err: (error as Error).message }, 'collecting stats failed');
      }
      if (!this.stopped) this.timer = this.clock.setTimeout(tick, this.options.intervalMs);
    };
    this.timer = this.clock.setTimeout(tick, this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The latest sample (an empty one before the first interval). */
  sample(): NodeStatsSample {
    return this.latest;
  }

  /** Takes a sample now, keeps it and publishes it. */
  collect(): NodeStatsSample {
    const { runtime, nodeName, nats } = this.options;
    const pods: PodStatsSample[] = [];
    let nanoCores = 0;
    let coreNanoSeconds = 0;
    let workingSet = 0;
    for (const pod of this.options.pods()) {
      const containers: PodStatsSample['containers'] = [];
      for (const container of pod.containers) {
        const stats = runtime.stats(container.id);
        if (!stats) continue;
        containers.push({
          name: container.name,
          cpu: { usageNanoCores: Math.round(stats.cpuUsageNanoCores), usageCoreNanoSeconds: Math.round(stats.cpuUsageCoreNanoSeconds) },
          memory: { workingSetBytes: stats.memoryWorkingSetBytes },
        });
        nanoCores += stats.cpuUsageNanoCores;
        coreNanoSeconds += stats.cpuUsageCoreNanoSeconds;
        workingSet += stats.memoryWorkingSetBytes;
      }
      if (containers.length) pods.push({ namespace: pod.namespace, name: pod.name, uid: pod.uid, containers });
    }

    const now = this.clock.now();
    const self = this.selfUsage();
    const elapsedMs = Math.max(1, now - this.previousSelf.at);
    const selfNanoCores = (Math.max(0, self.cpuMicros - this.previousSelf.cpuMicros) * 1_000) / (elapsedMs / 1_000);
    this.previousSelf = { at: now, cpuMicros: self.cpuMicros };

    this.latest = {
      node: nodeName,
      timestamp: new Date(now).toISOString(),
      window: this.options.intervalMs / 1_000,
      cpu: { usageNanoCores: Math.round(nanoCores + selfNanoCores), usageCoreNanoSeconds: Math.round(coreNanoSeconds + self.cpuMicros * 1_000) },
      memory: { workingSetBytes: workingSet + self.rssBytes },
      pods,
    };
    nats?.publish(STATS_SUBJECT(nodeName), this.latest);
    return this.latest;
  }

  private emptySample(): NodeStatsSample {
    return {
      node: this.options.nodeName,
      timestamp: new Date(this.clock.now()).toISOString(),
      window: this.options.intervalMs / 1_000,
      cpu: { usageNanoCores: 0, usageCoreNanoSeconds: 0 },
      memory: { workingSetBytes: 0 },
      pods: [],
    };
  }
}
