import { realClock, type Clock, type EventRecorder, type KubeObject } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { ContainerRuntime } from '../runtime/types';
import { findContainer, probeOf, probeTiming } from './probe-spec';
import { Prober } from './prober';
import { ResultsCache, type ResultUpdate } from './results-cache';
import type { ProbeManager, ProbeType, ProbeUpdate } from './types';
import { ProbeWorker, type ContainerKey } from './worker';

export interface ProberManagerOptions {
  /** Runs exec probes (ExecSync). */
  runtime: Pick<ContainerRuntime, 'execSync'>;
  /** Unhealthy / ProbeWarning events go here (it folds repeats into counts). */
  recorder: Pick<EventRecorder, 'event'>;
  /** Drives initialDelaySeconds and periodSeconds; a probe's own timeout is real time. */
  clock?: Clock;
  log: Logger;
  /** The prober the workers use (a test may pass its own). */
  prober?: Pick<Prober, 'probe'>;
}

/** The probes of one running container instance. */
interface ProbedContainer {
  podUid: string;
  containerName: string;
  containerId: string;
  workers: Map<ProbeType, ProbeWorker>;
}

/** The startup worker starts first, so a container's probes begin in the order Kubernetes gates them. */
const PROBE_TYPES: ProbeType[] = ['Startup', 'Liveness', 'Readiness'];

/**
 * The kubelet's prober manager (pkg/kubelet/prober.manager): one worker per probe of each
 * running container instance, three results caches (liveness, readiness, startup), and the
 * answers the pod workers need to build a status: is the container started, is it ready.
 * A new container ID for the same container replaces its workers and forgets the old results.
 */
export class ProberManager implements ProbeManager {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly prober: Pick<Prober, 'probe'>;
  private readonly containers = new Map<string, ProbedContainer>();
  private readonly results: Record<ProbeType, ResultsCache<ContainerKey>> = {
    Liveness: new ResultsCache<ContainerKey>(),
    Readiness: new ResultsCache<ContainerKey>(),
    Startup: new ResultsCache<ContainerKey>(),
  };
  private readonly listeners: Array<(update: ProbeUpdate) => void> = [];

  constructor(options: ProberManagerOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log;
    this.prober = options.prober ?? new Prober({ runtime: options.runtime, recorder: options.recorder, log: options.log });
    for (const type of PROBE_TYPES) this.results[type].onUpdate((update) => this.announce(type, update));
  }

  addContainer(pod: KubeObject, containerName: string, containerId: string, podIP: string, startedAt: Date): void {
    const podUid = pod.metadata.uid ?? '';
    const existing = this.containers.get(key(podUid, containerName));
    if (existing?.containerId === containerId) return;
    if (existing) this.removeContainer(podUid, containerName);

    const probed: ProbedContainer = { podUid, containerName, containerId, workers: new Map() };
    this.containers.set(key(podUid, containerName), probed);
    const found = findContainer(pod, containerName);
    if (!found) {
      this.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, containerName }, 'container not in the pod spec: nothing to probe');
      return;
    }
    for (const type of PROBE_TYPES) {
      const probe = probeOf(found.container, type);
      if (!probe) continue;
      const timing = probeTiming(probe);
      probed.workers.set(
        type,
        new ProbeWorker({
          type,
          target: { pod, container: found.container, fieldPath: found.fieldPath, containerId, podIP, probe, timeoutSeconds: timing.timeoutSeconds },
          timing,
          startedAt: startedAt.getTime(),
          prober: this.prober,
          results: this.results[type],
          clock: this.clock,
          started: () => this.startedOf(probed),
          log: this.log,
        }),
      );
    }
    for (const worker of probed.workers.values()) worker.start();
  }

  removeContainer(podUid: string, containerName: string): void {
    const probed = this.containers.get(key(podUid, containerName));
    if (!probed) return;
    this.containers.delete(key(podUid, containerName));
    for (const worker of probed.workers.values()) worker.stop();
    for (const type of PROBE_TYPES) this.results[type].remove(probed.containerId);
  }

  removePod(podUid: string): void {
    for (const probed of [...this.containers.values()]) if (probed.podUid === podUid) this.removeContainer(podUid, probed.containerName);
  }

  /**
   * Ready: a started container whose readiness probe last succeeded, or that has none. False
   * before it started or after its readiness turned Failure; undefined while its readiness probe
   * has no result yet (not ready either) and for a container the manager does not know.
   */
  isReady(podUid: string, containerName: string): boolean | undefined {
    const probed = this.containers.get(key(podUid, containerName));
    if (!probed) return undefined;
    if (!this.startedOf(probed)) return false;
    if (!probed.workers.has('Readiness')) return true;
    const result = this.results.Readiness.get(probed.containerId);
    return result === undefined ? undefined : result === 'Success';
  }

  /** Started: the startup probe succeeded, or the container has none. A container never added is not started. */
  isStarted(podUid: string, containerName: string): boolean {
    const probed = this.containers.get(key(podUid, containerName));
    return probed ? this.startedOf(probed) : false;
  }

  onUpdate(listener: (update: ProbeUpdate) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    for (const probed of this.containers.values()) for (const worker of probed.workers.values()) worker.stop();
    this.containers.clear();
  }

  private startedOf(probed: ProbedContainer): boolean {
    return !probed.workers.has('Startup') || this.results.Startup.get(probed.containerId) === 'Success';
  }

  private announce(type: ProbeType, { containerId, result, meta }: ResultUpdate<ContainerKey>): void {
    const probed = this.containers.get(key(meta.podUid, meta.containerName));
    if (probed?.containerId !== containerId) return;
    // Started: readiness need not wait for its next period (the kubelet triggers it at once).
    if (type === 'Startup' && result === 'Success') probed.workers.get('Readiness')?.trigger();
    const update: ProbeUpdate = { podUid: meta.podUid, containerName: meta.containerName, containerId, type, result };
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.log.error({ err: error, ...update }, 'probe update listener failed');
      }
    }
  }
}

function key(podUid: string, containerName: string): string {
  return `${podUid}/${containerName}`;
}
