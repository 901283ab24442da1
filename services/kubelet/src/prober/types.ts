import type { KubeObject } from '@kubelab/client';

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';
export type ProbeResult = 'Success' | 'Failure';

export interface ProbeUpdate {
  podUid: string;
  containerName: string;
  containerId: string;
  type: ProbeType;
  result: ProbeResult;
}

/**
 * The prober manager's contract (pkg/kubelet/prober): one worker per probe of each running
 * container, run every periodSeconds after initialDelaySeconds, flipping its result after
 * successThreshold / failureThreshold consecutive outcomes. Failures are recorded as Unhealthy
 * events with Kubernetes' wording. Liveness and startup probes wait for the startup probe to
 * succeed. The pod workers kill a container whose liveness (or startup) result turns Failure.
 */
export interface ProbeManager {
  /** A container (re)started: start the workers of its probes. */
  addContainer(pod: KubeObject, containerName: string, containerId: string, podIP: string, startedAt: Date): void;
  /** Its container stopped or was replaced: stop its workers (results are forgotten). */
  removeContainer(podUid: string, containerName: string): void;
  removePod(podUid: string): void;
  /** Readiness: true/false, or true when the container has no readiness probe; undefined before the first result. */
  isReady(podUid: string, containerName: string): boolean | undefined;
  /** Started: false until the startup probe (if any) has succeeded. */
  isStarted(podUid: string, containerName: string): boolean;
  /** Called whenever a probe's result changes. */
  onUpdate(listener: (update: ProbeUpdate) => void): void;
  stop(): void;
}
