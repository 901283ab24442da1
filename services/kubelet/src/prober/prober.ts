import type { EventRecorder, KubeObject } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { ContainerRuntime } from '../runtime/types';
import { expandContainerCommandOnlyStatic } from './command-expansion';
import { resolveContainerPort } from './container-port';
import { doExecProbe } from './exec-probe';
import { doGRPCProbe } from './grpc-probe';
import { doHTTPProbe } from './http-probe';
import { newRequestForHTTPGetAction } from './http-request';
import type { ProbeOutcome } from './probe-outcome';
import type { Container, Probe } from './probe-spec';
import { doTCPProbe } from './tcp-probe';
import type { ProbeResult, ProbeType } from './types';

/** kube's retries of a probe that errors (not one that fails) before it gives up on the attempt. */
const MAX_PROBE_RETRIES = 3;

/** One container's probe, with what the prober needs to run it and to name it in events. */
export interface ProbeTarget {
  pod: KubeObject;
  container: Container;
  /** `spec.containers{web}`: the event's involvedObject.fieldPath. */
  fieldPath: string;
  containerId: string;
  podIP: string;
  probe: Probe;
  timeoutSeconds: number;
}

export interface ProberOptions {
  runtime: Pick<ContainerRuntime, 'execSync'>;
  recorder: Pick<EventRecorder, 'event'>;
  log: Logger;
  /** Kubernetes' kubelet does not follow a redirect to another host: a warning ends the probe. */
  followNonLocalRedirects?: boolean;
}

/**
 * Runs one probe attempt (pkg/kubelet/prober.prober): picks the handler (httpGet, tcpSocket,
 * exec, grpc), retries an attempt that errors, and records what a person sees: a Warning
 * `Unhealthy` event "<Type> probe failed: <output>" for each failed attempt, "<Type> probe
 * errored and resulted in <result> state: <error>" for one that errored, and `ProbeWarning`
 * "<Type> probe warning: <output>" for a success with a warning. Resolves with the attempt's
 * result, or undefined when it errored (the worker throws that attempt away).
 */
export class Prober {
  constructor(private readonly options: ProberOptions) {}

  /** `cancelled` aborts when the container's probes stop: an attempt that ends after it counts for nothing and says nothing. */
  async probe(type: ProbeType, target: ProbeTarget, cancelled?: AbortSignal): Promise<ProbeResult | undefined> {
    let outcome: ProbeOutcome = { result: 'unknown', output: '' };
    for (let attempt = 0; attempt < MAX_PROBE_RETRIES; attempt++) {
      outcome = await this.runProbe(target);
      if (cancelled?.aborted) return undefined;
      if (!outcome.error) break;
    }
    const fields = { probeType: type, pod: `${target.pod.metadata.namespace}/${target.pod.metadata.name}`, containerName: target.container.name };
    if (outcome.error) {
      this.options.log.debug({ ...fields, err: outcome.error.message, probeResult: outcome.result }, 'probe errored');
      this.event(target, 'Unhealthy', `${type} probe errored and resulted in ${outcome.result} state: ${outcome.error.message}`);
      return undefined;
    }
    switch (outcome.result) {
      case 'success':
        this.options.log.trace(fields, 'probe succeeded');
        return 'Success';
      case 'warning':
        this.event(target, 'ProbeWarning', `${type} probe warning: ${outcome.output}`);
        return 'Success';
      case 'failure':
        this.options.log.debug({ ...fields, output: outcome.output }, 'probe failed');
        this.event(target, 'Unhealthy', `${type} probe failed: ${outcome.output}`);
        return 'Failure';
      default:
        this.options.log.debug({ ...fields }, 'probe unknown without error');
        return 'Failure';
    }
  }

  private async runProbe(target: ProbeTarget): Promise<ProbeOutcome> {
    const { probe, container, podIP } = target;
    const timeoutMs = target.timeoutSeconds * 1000;
    try {
      if (probe.exec) {
        const command = expandContainerCommandOnlyStatic(probe.exec.command ?? [], container.env);
        return await doExecProbe(this.options.runtime, target.containerId, command, timeoutMs);
      }
      if (probe.httpGet) {
        const request = newRequestForHTTPGetAction(probe.httpGet, container, podIP);
        return await doHTTPProbe(request, timeoutMs, { followNonLocalRedirects: this.options.followNonLocalRedirects });
      }
      if (probe.tcpSocket) {
        const port = resolveContainerPort(probe.tcpSocket.port, container);
        return await doTCPProbe(probe.tcpSocket.host || podIP, port, timeoutMs);
      }
      if (probe.grpc) return await doGRPCProbe(podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
      const { name, namespace, uid } = target.pod.metadata;
      return { result: 'unknown', output: '', error: new Error(`missing probe handler for ${name}_${namespace}(${uid}):${container.name}`) };
    } catch (error) {
      return { result: 'unknown', output: '', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  private event(target: ProbeTarget, reason: string, message: string): void {
    this.options.recorder.event(target.pod, 'Warning', reason, message, target.fieldPath);
  }
}
