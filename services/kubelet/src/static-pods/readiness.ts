import { doHTTPProbe } from '../prober/http-probe';
import { newRequestForHTTPGetAction } from '../prober/http-request';
import type { ProbeOutcome } from '../prober/probe-outcome';
import { probeTiming, type Container, type Probe, type ProbeTiming } from '../prober/probe-spec';
import { doTCPProbe } from '../prober/tcp-probe';
import { resolveContainerPort } from '../prober/container-port';

/**
 * The readiness of a static pod's process (the prober's readiness worker, for a process the
 * kubelet did not start): the container's readinessProbe (httpGet or tcpSocket) every
 * periodSeconds, Ready after successThreshold successes in a row, not Ready after
 * failureThreshold failures in a row; a new instance of the process starts not Ready, as a new
 * container does. Without a readinessProbe (or with an exec or grpc one, which cannot reach into
 * a process the kubelet did not start) the process is Ready while it runs.
 */
export class Readiness {
  ready = false;
  private readonly probe: Probe | undefined;
  private readonly timing: ProbeTiming | undefined;
  private successes = 0;
  private failures = 0;
  private lastRunMs = -Infinity;

  constructor(
    private readonly container: Container,
    private readonly podIP: string,
  ) {
    const probe = container.readinessProbe;
    this.probe = probe?.httpGet || probe?.tcpSocket ? probe : undefined;
    this.timing = this.probe ? probeTiming(this.probe) : undefined;
  }

  /** A new instance of the process started: not Ready until its probe says so. */
  reset(): void {
    this.ready = !this.probe;
    this.successes = 0;
    this.failures = 0;
    this.lastRunMs = -Infinity;
  }

  /**
   * Probes if a period has passed since the last probe (and the process runs). Returns the failed
   * outcome when this probe failed (for the Unhealthy event), undefined otherwise.
   */
  async check(running: boolean, nowMs: number): Promise<ProbeOutcome | undefined> {
    if (!running) {
      this.ready = false;
      return undefined;
    }
    if (!this.probe || !this.timing) {
      this.ready = true;
      return undefined;
    }
    if (nowMs - this.lastRunMs < this.timing.periodSeconds * 1000) return undefined;
    this.lastRunMs = nowMs;
    const outcome = await this.run(this.probe, this.timing.timeoutSeconds * 1000);
    if (outcome.result === 'success' || outcome.result === 'warning') {
      this.failures = 0;
      if (++this.successes >= this.timing.successThreshold) this.ready = true;
      return undefined;
    }
    this.successes = 0;
    if (++this.failures >= this.timing.failureThreshold) this.ready = false;
    return outcome;
  }

  private async run(probe: Probe, timeoutMs: number): Promise<ProbeOutcome> {
    try {
      if (probe.httpGet) return await doHTTPProbe(newRequestForHTTPGetAction(probe.httpGet, this.container, this.podIP), timeoutMs);
      const action = probe.tcpSocket!;
      return await doTCPProbe(action.host || this.podIP, resolveContainerPort(action.port, this.container), timeoutMs);
    } catch (error) {
      return { result: 'failure', output: (error as Error).message };
    }
  }
}
