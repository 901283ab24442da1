import type { ApiContainerStatus, PodSpec, PodStatus } from './api-types';

export type PodPhase = NonNullable<PodStatus['phase']>;

/** Whether an init container is a sidecar (a restartable init container: restartPolicy Always). */
export function isSidecar(container: { restartPolicy?: string }): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * The pod's phase from its container statuses, as the kubelet computes it (getPhase): Pending
 * while initialising or while a container has not started yet; Running once all have started and
 * one runs; Succeeded / Failed when all have stopped and the restart policy will not restart them
 * (or the pod is terminal: deleted, its containers stopped for good).
 */
export function podPhase(spec: PodSpec, initStatuses: ApiContainerStatus[], statuses: ApiContainerStatus[], podIsTerminal: boolean): PodPhase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const container of spec.initContainers ?? []) {
    const s = initStatuses.find((c) => c.name === container.name);
    if (!s) {
      pendingInitialization++;
      continue;
    }
    if (isSidecar(container)) {
      if (s.state.running) {
        if (!s.started) pendingInitialization++;
      } else if (s.state.terminated || !s.lastState.terminated) pendingInitialization++;
      continue;
    }
    if (s.state.running) pendingInitialization++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const container of spec.containers) {
    const s = statuses.find((c) => c.name === container.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  const anyRegularStarted = statuses.some((s) => s.state.running || s.state.terminated);
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Succeeded and Failed are final: a pod never leaves them. */
export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
