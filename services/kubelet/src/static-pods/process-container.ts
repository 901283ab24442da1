import { metaTime } from '@kubelab/client';
import type { ApiContainerStatus, ContainerState, ContainerStateTerminated } from '../status/api-types';
import type { HostProcess } from './host-process';

/** The exit code of a process that was not the kubelet's child: unknown, so reported as a SIGKILL's (128 + 9). */
export const UNKNOWN_EXIT_CODE = 137;

/**
 * The container of a kubelab static pod, which is a process the lab started (not the kubelet):
 * its state as the API shows it, followed from what /proc says at each sync. Running while the
 * process runs (startedAt its start time); when it is gone, Terminated with reason Error and exit
 * code 137 (the kubelet is not its parent and cannot know the real one); when the lab starts it
 * again (another pid, or the same pid with another start time) Running again, restartCount + 1
 * and the old one as lastState. A kubelet that restarts picks up the count from the mirror pod's
 * status (`seed`): the same process keeps it, a new one adds one.
 */
export class ProcessContainer {
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerState = {};
  restartCount = 0;
  containerID: string | undefined;
  private instance: { pid: number; startTicks: number } | undefined;
  private seed: ApiContainerStatus | undefined;
  private observed = false;

  constructor(seed?: ApiContainerStatus) {
    this.seed = seed?.containerID ? seed : undefined;
  }

  get running(): boolean {
    return this.state.running !== undefined;
  }

  /**
   * Takes in what runs now: the process, or undefined when it is gone (or cannot be found).
   * Returns 'started' when a new instance began, 'exited' when the one running ended.
   */
  observe(process: HostProcess | undefined, now: number): 'started' | 'exited' | undefined {
    const first = !this.observed;
    this.observed = true;
    if (!process) {
      if (this.state.running) {
        this.state = { terminated: this.terminated(this.state.running.startedAt, now) };
        return 'exited';
      }
      if (first && this.seed) this.adoptSeedAsGone(now);
      return undefined;
    }
    if (this.instance && this.instance.pid === process.pid && this.instance.startTicks === process.startTicks) {
      if (this.state.running) return undefined;
    }
    const startedAt = metaTime(process.startedAt.getTime());
    if (first && this.seed) {
      const seed = this.seed;
      if (seed.containerID === process.containerID) {
        this.restartCount = seed.restartCount;
        this.lastState = seed.lastState;
      } else {
        this.restartCount = seed.restartCount + 1;
        this.lastState = { terminated: endOf(seed, now) };
      }
    } else if (this.instance) {
      // Another instance: the one before ended (if it was still running, now).
      const before = this.state.running ? this.terminated(this.state.running.startedAt, now) : this.state.terminated;
      if (before) this.lastState = { terminated: before };
      this.restartCount++;
    } else if (this.containerID && this.state.terminated) {
      // Seen gone at the first sync, back now.
      this.lastState = { terminated: this.state.terminated };
      this.restartCount++;
    }
    this.seed = undefined;
    this.instance = { pid: process.pid, startTicks: process.startTicks };
    this.containerID = process.containerID;
    this.state = { running: { startedAt } };
    return 'started';
  }

  /** The API's container status, with `ready` from the readiness verdict. */
  apiStatus(name: string, image: string, ready: boolean): ApiContainerStatus {
    const status: ApiContainerStatus = {
      name,
      state: this.state,
      lastState: this.lastState,
      ready: this.running && ready,
      restartCount: this.restartCount,
      image,
      imageID: '',
      started: this.running,
    };
    if (this.containerID) status.containerID = this.containerID;
    return status;
  }

  private terminated(startedAt: string, now: number): ContainerStateTerminated {
    const t: ContainerStateTerminated = { exitCode: UNKNOWN_EXIT_CODE, reason: 'Error', startedAt, finishedAt: metaTime(now) };
    if (this.containerID) t.containerID = this.containerID;
    return t;
  }

  /** The first sync finds the process gone: what the mirror pod said, with a running container now ended. */
  private adoptSeedAsGone(now: number): void {
    const seed = this.seed!;
    this.restartCount = seed.restartCount;
    this.lastState = seed.lastState;
    this.containerID = seed.containerID;
    this.state = { terminated: endOf(seed, now) };
  }
}

/** How a container the mirror pod showed ended: its termination, or, if it showed running, now. */
function endOf(seed: ApiContainerStatus, now: number): ContainerStateTerminated {
  if (seed.state.terminated) return seed.state.terminated;
  const t: ContainerStateTerminated = { exitCode: UNKNOWN_EXIT_CODE, reason: 'Error', startedAt: seed.state.running?.startedAt ?? metaTime(now), finishedAt: metaTime(now) };
  if (seed.containerID) t.containerID = seed.containerID;
  return t;
}
