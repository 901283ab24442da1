import { PassThrough, Readable } from 'node:stream';
import type { Clock } from '@kubelab/client';
import { newContainerId } from '../../runtime/container-id';
import {
  ContainerStartError,
  ImagePullError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type LogOptions,
  type PodSandboxConfig,
  type PulledImage,
  type StreamSession,
} from '../../runtime/types';

/** A container start the fake runtime was asked for. */
export interface StartCall {
  pod: PodSandboxConfig;
  config: ContainerConfig;
  id: string;
}

/**
 * A ContainerRuntime in memory for the pod workers' unit tests: containers are records, not
 * processes. Tests make them exit (`exit`), fail to start (`startErrors`), refuse images (only
 * those in `images` exist), and read what was asked of it (`starts`, `stops`, `removed`).
 */
export class FakeRuntime implements ContainerRuntime {
  readonly containers = new Map<string, ContainerStatus>();
  readonly starts: StartCall[] = [];
  readonly stops: Array<{ id: string; name: string; grace: number }> = [];
  readonly removed: string[] = [];
  readonly pulls: string[] = [];
  /** Known images and their sizes; any other image fails to pull. */
  readonly images = new Map<string, number>([
    ['nginx', 1000],
    ['busybox:1.36.1', 2000],
    ['blux2/hello-server:1.6', 3000],
    ['redis:6.0', 4000],
  ]);
  readonly present = new Set<string>();
  /** Container name -> the error its next start throws (removed once thrown unless `sticky`). */
  readonly startErrors = new Map<string, { error: Error; sticky?: boolean }>();
  /** What `adopt` returns and registers (as a previous kubelet's containers). */
  adoptable: ContainerStatus[] = [];
  /** When set, stopContainer waits for `releaseStops` (to see stops happen in parallel). */
  holdStops = false;
  /** How a stop ends the container (a program exits 143 on SIGTERM). */
  stopExitCode = 143;
  readonly logs = new Map<string, string>();
  private held: Array<() => void> = [];
  private readonly listeners: Array<(status: ContainerStatus) => void> = [];

  constructor(private readonly clock: Clock) {}

  async pullImage(image: string): Promise<PulledImage> {
    this.pulls.push(image);
    const size = this.images.get(image);
    if (size === undefined) throw new ImagePullError(`rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/${image}:latest": not found`);
    const alreadyPresent = this.present.has(image);
    this.present.add(image);
    return { reference: image, imageID: `sha256:${image}`, sizeBytes: size, alreadyPresent, durationMs: alreadyPresent ? 0 : 512 };
  }

  async startContainer(pod: PodSandboxConfig, config: ContainerConfig): Promise<ContainerStatus> {
    const failure = this.startErrors.get(config.name);
    if (failure) {
      if (!failure.sticky) this.startErrors.delete(config.name);
      throw failure.error;
    }
    const now = new Date(this.clock.now());
    const status: ContainerStatus = {
      id: newContainerId(),
      podUid: pod.uid,
      podNamespace: pod.namespace,
      podName: pod.name,
      name: config.name,
      attempt: config.attempt,
      state: 'running',
      pid: 1000 + this.starts.length,
      image: config.image,
      imageRef: `docker.io/library/${config.image}@sha256:${'0'.repeat(64)}`,
      createdAt: now,
      startedAt: now,
      logPath: `/logs/${config.name}/${config.attempt}.log`,
    };
    this.containers.set(status.id, status);
    this.starts.push({ pod, config, id: status.id });
    return { ...status };
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    this.stops.push({ id, name: c?.name ?? '', grace: gracePeriodSeconds });
    if (this.holdStops) await new Promise<void>((resolve) => this.held.push(resolve));
    if (c && c.state !== 'exited') this.exit(id, this.stopExitCode);
  }

  /** Lets every held stop finish. */
  releaseStops(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }

  get heldStops(): number {
    return this.held.length;
  }

  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
    this.removed.push(id);
  }

  listContainers(podUid?: string): ContainerStatus[] {
    return [...this.containers.values()].filter((c) => !podUid || c.podUid === podUid).map((c) => ({ ...c }));
  }

  getContainer(id: string): ContainerStatus | undefined {
    const c = this.containers.get(id);
    return c ? { ...c } : undefined;
  }

  onContainerExit(listener: (status: ContainerStatus) => void): void {
    this.listeners.push(listener);
  }

  /** The container's process ends (exit 0: Completed, 137 with OOMKilled, ...). */
  exit(id: string, exitCode: number, reason?: string): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    c.state = 'exited';
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.finishedAt = new Date(this.clock.now());
    delete c.pid;
    for (const listener of this.listeners) listener({ ...c });
  }

  /** The current container of a pod's container name (newest first). */
  current(podUid: string, name: string): ContainerStatus | undefined {
    return this.listContainers(podUid)
      .filter((c) => c.name === name)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.attempt - a.attempt)[0];
  }

  stats(id: string): ContainerStats | undefined {
    return this.containers.has(id) ? { cpuUsageNanoCores: 0, cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0, timestamp: new Date(this.clock.now()) } : undefined;
  }

  async *readLogs(id: string, _options: LogOptions, _signal: AbortSignal): AsyncIterable<Buffer> {
    yield Buffer.from(this.logs.get(id) ?? `log of ${id}\n`);
  }

  exec(id: string, command: string[]): StreamSession {
    return fakeSession(`exec ${command.join(' ')} in ${id}\n`);
  }

  async execSync(): Promise<ExecResult> {
    return { exitCode: 0, output: '', stderr: '', timedOut: false };
  }

  attach(id: string): StreamSession {
    return fakeSession(`attached to ${id}\n`);
  }

  async adopt(): Promise<ContainerStatus[]> {
    for (const c of this.adoptable) this.containers.set(c.id, { ...c });
    return this.adoptable.map((c) => ({ ...c }));
  }

  async close(): Promise<void> {}
}

function fakeSession(output: string): StreamSession {
  return { stdout: Readable.from([Buffer.from(output)]), stdin: new PassThrough(), exit: Promise.resolve(0), close() {} };
}

export { ContainerStartError, ImagePullError };
