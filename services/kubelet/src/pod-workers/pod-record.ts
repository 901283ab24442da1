import type { Clock, KubeObject } from '@kubelab/client';
import type { ContainerRuntime, ContainerStatus } from '../runtime/types';
import type { Container, PodSpec } from '../status/api-types';
import { ItemBackoff } from './backoff';

export type ContainerKind = 'init' | 'regular' | 'ephemeral';

/** A liveness or startup probe asked for a container to be killed. */
export interface KillRequest {
  containerId: string;
  probe: 'Liveness' | 'Startup';
}

/**
 * What the kubelet knows of one pod beyond what the runtime holds: the pod as last seen, its IP,
 * why containers wait (the reason cache), the back-offs of crashing containers and failing image
 * pulls, which containers the prober watches, and the pod's place in its life (running, finished,
 * being terminated, gone).
 */
export class PodRecord {
  readonly uid: string;
  pod: KubeObject;
  /** The pod's IP; kept after it is released, as the status keeps showing it. */
  ip: string | undefined;
  ipReleased = false;
  /** Container name -> why it waits (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError, ...). */
  readonly waiting = new Map<string, { reason: string; message?: string }>();
  /** CrashLoopBackOff, by container name. */
  readonly crashBackoff: ItemBackoff;
  /** ImagePullBackOff, by image; and the last pull error of each image ("ErrImagePull: <message>"). */
  readonly pullBackoff: ItemBackoff;
  readonly pullErrors = new Map<string, string>();
  /** Container name -> the container id the prober watches. */
  readonly probed = new Map<string, string>();
  /**
   * Ids of containers being stopped on their own (a failed probe or postStart hook) -> their
   * preStop hook, under way or done: a pod stop meanwhile waits for it before its SIGTERM.
   */
  readonly killing = new Map<string, Promise<unknown>>();
  /** Container name -> a failed liveness / startup probe's request to kill it. */
  readonly killRequests = new Map<string, KillRequest>();
  /** Containers that failed to start and that the runtime does not list (their "instance", StartError). */
  failedStarts: ContainerStatus[] = [];
  /** The pod reached Succeeded or Failed: nothing is (re)started any more. */
  terminal = false;
  /** The pod is gone from the apiserver (deleted, or no longer bound here). */
  removed = false;
  /** Termination is done: containers stopped and removed, IP released, deletion finished. */
  finished = false;
  /** The MissingClusterDNS warning was given. */
  dnsWarned = false;

  constructor(pod: KubeObject, clock: Clock, backoff: { initialMs: number; maxMs: number }) {
    this.uid = pod.metadata.uid!;
    this.pod = pod;
    this.crashBackoff = new ItemBackoff(backoff.initialMs, backoff.maxMs, clock);
    this.pullBackoff = new ItemBackoff(backoff.initialMs, backoff.maxMs, clock);
  }

  get spec(): PodSpec {
    return this.pod.spec as unknown as PodSpec;
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata.name!;
  }

  /** Deletion asked for (deletionTimestamp), or the pod is gone. */
  get terminationRequested(): boolean {
    return this.removed || Boolean(this.pod.metadata.deletionTimestamp);
  }

  private readonly termination = new AbortController();

  /** Aborts once termination is asked for (see noticeTermination): a sync waiting on a postStart hook gives up. */
  get terminationSignal(): AbortSignal {
    return this.termination.signal;
  }

  /** Called when the pod changed or went away: a pod now being terminated aborts terminationSignal. */
  noticeTermination(): void {
    if (this.terminationRequested) this.termination.abort();
  }

  /** The spec of a container by name, and which list it is in. */
  containerSpec(name: string): { container: Container; kind: ContainerKind } | undefined {
    const init = this.spec.initContainers?.find((c) => c.name === name);
    if (init) return { container: init, kind: 'init' };
    const regular = this.spec.containers.find((c) => c.name === name);
    if (regular) return { container: regular, kind: 'regular' };
    const ephemeral = this.spec.ephemeralContainers?.find((c) => c.name === name);
    return ephemeral ? { container: ephemeral, kind: 'ephemeral' } : undefined;
  }

  /** Every instance of a container, newest first: the runtime's and the failed starts. */
  history(runtime: ContainerRuntime, name: string): ContainerStatus[] {
    return [...runtime.listContainers(this.uid), ...this.failedStarts].filter((c) => c.name === name).sort(newestFirst);
  }

  /** The grace period to stop the pod's containers with: the deletion's, else the spec's (30 s by default). */
  gracePeriodSeconds(): number {
    return this.pod.metadata.deletionGracePeriodSeconds ?? this.spec.terminationGracePeriodSeconds ?? 30;
  }
}

function newestFirst(a: ContainerStatus, b: ContainerStatus): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || b.attempt - a.attempt;
}
