import { metaTime } from '@kubelab/client';
import type { ContainerStatus } from '../runtime/types';
import type { ApiContainerStatus, ContainerState, ContainerStateTerminated } from './api-types';
import { statusImageName } from './image-name';

/** Waiting reasons of containers that have no container yet (kubelet's defaults). */
export const CONTAINER_CREATING = 'ContainerCreating';
export const POD_INITIALIZING = 'PodInitializing';

/**
 * What the kubelet knows of one container of a pod: its latest instance in the runtime and the
 * one before (the previous termination), why it is waiting if it could not be (re)started
 * (the kubelet's reason cache: CrashLoopBackOff, ErrImagePull, ...), and its probes' verdicts.
 */
export interface ContainerView {
  name: string;
  /** The image as the spec names it. */
  image: string;
  current?: ContainerStatus;
  previous?: ContainerStatus;
  waiting?: { reason: string; message?: string };
  /** The readiness probe's result (true without a probe); only counts while running. */
  ready: boolean;
  /** The startup probe has succeeded (true without one); only counts while running. */
  started: boolean;
}

/** A terminated instance as the API shows it (Terminated state or lastState). */
export function terminatedState(c: ContainerStatus): ContainerStateTerminated {
  const t: ContainerStateTerminated = {
    exitCode: c.exitCode ?? 0,
    reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
    startedAt: metaTime(c.startedAt ? c.startedAt.getTime() : 0),
    finishedAt: metaTime((c.finishedAt ?? c.createdAt).getTime()),
    containerID: c.id,
  };
  if (c.message) t.message = c.message;
  return t;
}

function stateOf(c: ContainerStatus): ContainerState {
  if (c.state === 'running') return { running: { startedAt: metaTime((c.startedAt ?? c.createdAt).getTime()) } };
  if (c.state === 'created') return { waiting: { reason: CONTAINER_CREATING } };
  return { terminated: terminatedState(c) };
}

/**
 * A container's status as the API shows it (convertToAPIContainerStatuses): the latest instance's
 * state, the previous termination as lastState, restartCount from the instance's attempt. A
 * container that exited and waits to be restarted shows Waiting (the reason) with its exit as
 * lastState; one with no instance yet shows Waiting with `defaultWaitingReason`.
 */
export function apiContainerStatus(view: ContainerView, defaultWaitingReason: string): ApiContainerStatus {
  const { current } = view;
  if (!current) {
    return {
      name: view.name,
      state: { waiting: view.waiting ? waitingOf(view.waiting) : { reason: defaultWaitingReason } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: view.image,
      imageID: '',
      started: false,
    };
  }
  let state = stateOf(current);
  let lastState: ContainerState = view.previous ? { terminated: terminatedState(view.previous) } : {};
  if (current.state === 'exited' && view.waiting) {
    lastState = state;
    state = { waiting: waitingOf(view.waiting) };
  }
  const running = current.state === 'running';
  return {
    name: view.name,
    state,
    lastState,
    ready: running && view.ready,
    restartCount: current.attempt,
    image: statusImageName(current.image || view.image),
    imageID: current.imageRef,
    containerID: current.id,
    started: running && view.started,
  };
}

function waitingOf(w: { reason: string; message?: string }): { reason: string; message?: string } {
  return w.message ? { reason: w.reason, message: w.message } : { reason: w.reason };
}
