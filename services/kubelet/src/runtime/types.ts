import type { Readable, Writable } from 'node:stream';

/**
 * The container runtime's contract (the kubelet's CRI seam): the pod workers decide what should
 * run, the runtime makes processes run, stop, log and measure. The kubelab runtime
 * (process-runtime.ts) runs each container as an OS process; tests of the pod workers use a fake.
 */

/** The pod-level settings every container of a pod shares (the "sandbox"). */
export interface PodSandboxConfig {
  uid: string;
  name: string;
  namespace: string;
  /** The pod's IP, from the node's podCIDR (allocated by the kubelet before any container starts). */
  ip: string;
  /** The pod's hostname (its name, or spec.hostname). */
  hostname: string;
  /** resolv.conf of the pod (dnsPolicy ClusterFirst): nameserver, search list, options. */
  dns?: { nameservers: string[]; searches: string[]; options: string[] };
}

export interface ContainerConfig {
  name: string;
  /** The image reference as the pod spec has it ('nginx', 'blux2/hello-server:1.6'). */
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** Fully resolved by the kubelet: the container's env, service links, HOSTNAME, the KUBELAB_* variables. */
  env: Record<string, string>;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** From resources.limits: enforced by the runtime (memory: SIGKILL + OOMKilled; cpu: throttled). */
  memoryLimitBytes?: number;
  cpuLimitMillis?: number;
  /** 0 for the first start, then restartCount: names the log file (<attempt>.log) as the kubelet does. */
  attempt: number;
}

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerStatus {
  /** 'kubelab://<64 hex>', as containerd's 'containerd://...'. */
  id: string;
  podUid: string;
  /** pod namespace/name, for logs and adoption. */
  podNamespace: string;
  podName: string;
  name: string;
  attempt: number;
  state: ContainerState;
  pid?: number;
  /** The image as the pod spec named it, its resolved reference and imageID. */
  image: string;
  imageRef: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  /** 'OOMKilled' (memory limit), 'Completed' (exit 0), 'Error' (any other exit), as Kubernetes reports. */
  reason?: string;
  /** Kubernetes' status message for a terminated container, if any. */
  message?: string;
  logPath: string;
}

/** An image reference that is not in the catalogue: the kubelet reports ErrImagePull with `message`. */
export class ImagePullError extends Error {
  readonly reason = 'ErrImagePull';
}

/**
 * A container that could not start (its command does not exist, ...): Kubernetes reports
 * Terminated/Waiting with reason StartError or RunContainerError and this message.
 */
export class ContainerStartError extends Error {
  constructor(
    message: string,
    readonly reason = 'StartError',
    readonly exitCode = 128,
  ) {
    super(message);
  }
}

export interface PulledImage {
  reference: string;
  imageID: string;
  sizeBytes: number;
  /** false the first time this node "pulls" it (an event says Pulling / Successfully pulled). */
  alreadyPresent: boolean;
  durationMs: number;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  /** Each line prefixed with its RFC3339Nano timestamp, as `kubectl logs --timestamps`. */
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  limitBytes?: number;
}

/** A process attached to streams: exec'd in a container, or the container's own (attach). */
export interface StreamSession {
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a tty (stderr is merged into stdout, as Kubernetes does). */
  stderr?: Readable;
  resize?(size: { width: number; height: number }): void;
  /** Resolves with the exit code when the process ends. */
  exit: Promise<number>;
  /** Ends the session (kills an exec'd process; detaches an attach). */
  close(): void;
}

export interface ContainerStats {
  /** CPU used since the last sample, in nanocores (1 core = 1e9), and in total since start. */
  cpuUsageNanoCores: number;
  cpuUsageCoreNanoSeconds: number;
  /** Memory charged to the container (the runtime's fixed baseline not counted), bytes. */
  memoryWorkingSetBytes: number;
  timestamp: Date;
}

export interface ContainerRuntime {
  /** Resolves an image in the catalogue ("pulling" it). Throws ImagePullError with Kubernetes' message if unknown. */
  pullImage(image: string): Promise<PulledImage>;
  /** Creates and starts a container process. Throws ContainerStartError if it cannot start. */
  startContainer(pod: PodSandboxConfig, container: ContainerConfig): Promise<ContainerStatus>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<void>;
  /** Forgets an exited container and deletes its log. */
  removeContainer(id: string): Promise<void>;
  /** Every container the runtime knows (running or exited), optionally of one pod. */
  listContainers(podUid?: string): ContainerStatus[];
  getContainer(id: string): ContainerStatus | undefined;
  /** Called when a container process exits (its status is final then: exitCode, reason, finishedAt). */
  onContainerExit(listener: (status: ContainerStatus) => void): void;
  /** The latest measurement of a running container. */
  stats(id: string): ContainerStats | undefined;
  /** A container's log, as `kubectl logs` reads it (CRI log lines turned back into the program's output). */
  readLogs(id: string, options: LogOptions, signal: AbortSignal): AsyncIterable<Buffer>;
  /** Runs a command in a running container (its env, cwd, PATH with busybox's applets). */
  exec(id: string, command: string[], options: { stdin: boolean; tty: boolean }): StreamSession;
  /** Runs a command to completion with a deadline, for exec probes. Timeout: { timedOut: true }. */
  execSync(id: string, command: string[], timeoutMs: number, cancelled?: AbortSignal): Promise<ExecResult>;
  /** Attaches to a running container's own stdin/stdout/stderr (it must have been started with stdin / tty for input). */
  attach(id: string, options: { stdin: boolean; tty: boolean }): StreamSession;
  /**
   * After a kubelet restart: re-reads the records of containers it started (still running or
   * not), so pods keep running without a restart. Returns them.
   */
  adopt(): Promise<ContainerStatus[]>;
  /** Stops measuring and watching (does not stop containers: they outlive the kubelet). */
  close(): Promise<void>;
}

/** A command run to completion in a container (CRI ExecSync): stdout and stderr together (at most 10 KiB), and stderr alone. */
export interface ExecResult {
  exitCode: number;
  output: string;
  stderr: string;
  timedOut: boolean;
}
