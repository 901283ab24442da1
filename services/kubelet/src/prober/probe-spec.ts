import type { ProbeType } from './types';

/**
 * core/v1 Probe and the parts of a Container the prober reads. Pods arrive as plain JSON
 * (KubeObject), so these describe what the prober may find there.
 */
export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPGetAction {
  path?: string;
  /** A number, or the name of one of the container's ports. */
  port: number | string;
  /** Defaults to the pod's IP. */
  host?: string;
  scheme?: string;
  httpHeaders?: HTTPHeader[];
}

export interface TCPSocketAction {
  port: number | string;
  host?: string;
}

export interface ExecAction {
  command?: string[];
}

export interface GRPCAction {
  port: number;
  service?: string;
}

export interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface Container {
  name: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

/** A probe's timing with the API's defaults filled in (SetDefaults_Probe: a 0 means "default" too). */
export interface ProbeTiming {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(probe: Probe): ProbeTiming {
  const positive = (value: number | undefined, fallback: number) => (value && value > 0 ? value : fallback);
  return {
    initialDelaySeconds: Math.max(0, probe.initialDelaySeconds ?? 0),
    timeoutSeconds: positive(probe.timeoutSeconds, 1),
    periodSeconds: positive(probe.periodSeconds, 10),
    successThreshold: positive(probe.successThreshold, 1),
    failureThreshold: positive(probe.failureThreshold, 3),
  };
}

/** The container's probe of one type, if it has one. */
export function probeOf(container: Container, type: ProbeType): Probe | undefined {
  switch (type) {
    case 'Liveness':
      return container.livenessProbe;
    case 'Readiness':
      return container.readinessProbe;
    case 'Startup':
      return container.startupProbe;
  }
}

/**
 * The container named `name` in a pod, with the fieldPath events about it carry
 * (`spec.containers{web}`, as kubecontainer.GenerateContainerRef builds it).
 */
export function findContainer(pod: { spec?: Record<string, unknown> }, name: string): { container: Container; fieldPath: string } | undefined {
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    const list = pod.spec?.[field];
    if (!Array.isArray(list)) continue;
    const container = (list as Container[]).find((c) => c?.name === name);
    if (container) return { container, fieldPath: `spec.${field}{${name}}` };
  }
  return undefined;
}
