import type { LifecycleHandler } from '../lifecycle/handler-runner';

/**
 * The core/v1 shapes the kubelet reads from a pod spec and writes into a pod status, as JSON.
 * Only the fields the kubelet acts on; everything else passes through untouched.
 */

export interface EnvVarSource {
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  secretKeyRef?: { name: string; key: string; optional?: boolean };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface Probe {
  terminationGracePeriodSeconds?: number;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** On an init container, 'Always' makes it a sidecar (restartable init container). */
  restartPolicy?: string;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
}

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: Array<{ name: string; value?: string }>;
}

export interface PodSpec {
  nodeName?: string;
  containers: Container[];
  initContainers?: Container[];
  /** Added later through pods/ephemeralcontainers (`kubectl debug`): started once, never restarted. */
  ephemeralContainers?: Container[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
  dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  dnsConfig?: PodDNSConfig;
  hostNetwork?: boolean;
  hostname?: string;
  subdomain?: string;
  serviceAccountName?: string;
  enableServiceLinks?: boolean;
  readinessGates?: Array<{ conditionType: string }>;
}

export interface ContainerStateWaiting {
  reason: string;
  message?: string;
}

export interface ContainerStateTerminated {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: { startedAt: string };
  terminated?: ContainerStateTerminated;
}

export interface ApiContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  startTime?: string;
  initContainerStatuses?: ApiContainerStatus[];
  containerStatuses?: ApiContainerStatus[];
  ephemeralContainerStatuses?: ApiContainerStatus[];
  qosClass?: string;
  [field: string]: unknown;
}
