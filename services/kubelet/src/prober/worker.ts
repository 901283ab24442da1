import type { Clock, ClockTimer } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { ProbeTiming } from './probe-spec';
import type { Prober, ProbeTarget } from './prober';
import type { ResultsCache } from './results-cache';
import type { ProbeResult, ProbeType } from './types';

/** Whose result a worker writes: the results caches announce it with the update. */
export interface ContainerKey {
  podUid: string;
  containerName: string;
}

export interface ProbeWorkerOptions {
  type: ProbeType;
  target: ProbeTarget;
  timing: ProbeTiming;
  /** When the container started, in the clock's milliseconds: initialDelaySeconds counts from it. */
  startedAt: number;
  prober: Pick<Prober, 'probe'>;
  results: ResultsCache<ContainerKey>;
  clock: Clock;
  /** Whether the container has started (its startup probe succeeded, or it has none). */
  started: () => boolean;
  log: Logger;
}

/**
 * One probe of one container (pkg/kubelet/prober.worker). It probes first when
 * initialDelaySeconds have passed since the container started, then every periodSeconds (no
 * random jitter: timings stay deterministic). A result is written only after failureThreshold
 * consecutive failures or successThreshold consecutive successes; until then the container keeps
 * its previous result. Liveness and readiness wait for the startup probe; the startup probe
 * stops once it succeeded. After a liveness or startup Failure the worker holds (the container is
 * about to be killed) until the manager replaces it for the container's next instance.
 */
export class ProbeWorker {
  private timer: ClockTimer | undefined;
  private readonly stopping = new AbortController();
  private stopped = false;
  private delayOver = false;
  private probing = false;
  private pending = false;
  private onHold = false;
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;

  constructor(private readonly options: ProbeWorkerOptions) {}

  get type(): ProbeType {
    return this.options.type;
  }

  start(): void {
    const { clock, startedAt, timing, type, target } = this.options;
    // Kubernetes' initial results: liveness Success; readiness and startup have none yet (not ready, not started).
    if (type === 'Liveness') this.options.results.initialize(target.containerId, 'Success');
    const firstProbeAt = startedAt + timing.initialDelaySeconds * 1000;
    this.schedule(Math.max(0, firstProbeAt - clock.now()));
  }

  /** Stops probing; an attempt under way is thrown away when it ends. */
  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    this.stopTicking();
  }

  /** Probes now, between ticks (the kubelet does so for readiness once a container has started). */
  trigger(): void {
    if (this.stopped || this.onHold || !this.delayOver) return;
    if (this.probing) this.pending = true;
    else void this.run();
  }

  private schedule(ms: number): void {
    this.timer = this.options.clock.setTimeout(() => this.tick(), ms);
  }

  private stopTicking(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A tick of the period: like Go's ticker, a tick that finds an attempt under way waits for it. */
  private tick(): void {
    if (this.stopped) return;
    this.delayOver = true;
    this.schedule(this.options.timing.periodSeconds * 1000);
    if (this.probing) this.pending = true;
    else void this.run();
  }

  private async run(): Promise<void> {
    this.probing = true;
    try {
      do {
        this.pending = false;
        await this.doProbe();
      } while (this.pending && !this.stopped);
    } catch (error) {
      this.options.log.error({ err: error, probeType: this.options.type, containerName: this.options.target.container.name }, 'probe worker failed');
    } finally {
      this.probing = false;
    }
  }

  private async doProbe(): Promise<void> {
    const { type, target, timing, results } = this.options;
    if (this.stopped || this.onHold) return;
    if (type === 'Startup') {
      if (this.options.started()) return this.stopTicking();
    } else if (!this.options.started()) {
      return;
    }

    const result = await this.options.prober.probe(type, target, this.stopping.signal);
    // Stopped meanwhile (the container was replaced), or errored: the attempt does not count.
    if (this.stopped || result === undefined) return;

    if (result === this.lastResult) {
      this.resultRun++;
    } else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === 'Failure' && this.resultRun < timing.failureThreshold) || (result === 'Success' && this.resultRun < timing.successThreshold)) return;

    results.set(target.containerId, result, { podUid: target.pod.metadata.uid ?? '', containerName: target.container.name });
    if ((type === 'Liveness' || type === 'Startup') && result === 'Failure') {
      // The container will be restarted: hold until its next instance replaces this worker.
      this.onHold = true;
      this.resultRun = 0;
      this.stopTicking();
    } else if (type === 'Startup' && result === 'Success') {
      this.stopTicking();
    }
  }
}
