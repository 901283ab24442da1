import type { ApiContainerStatus, PodCondition, PodSpec } from './api-types';
import { isSidecar, type PodPhase } from './phase';

/** The condition types the kubelet owns; it keeps every other condition (PodScheduled, ...) as it finds it. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'] as const;

export interface ConditionInput {
  spec: PodSpec;
  phase: PodPhase;
  initStatuses: ApiContainerStatus[];
  statuses: ApiContainerStatus[];
  /** The pod's "sandbox" exists: its IP is allocated and it is not terminated. */
  sandboxReady: boolean;
  /** The conditions others own (for readiness gates). */
  otherConditions: PodCondition[];
}

/**
 * The kubelet's pod conditions, in the order Kubernetes lists them: PodReadyToStartContainers,
 * Initialized, Ready, ContainersReady, with Kubernetes' reasons and messages
 * ("containers with unready status: [web]"). lastTransitionTime is left to the status manager,
 * which keeps the old one unless the status changed.
 */
export function kubeletConditions(input: ConditionInput): PodCondition[] {
  const containersReady = containersReadyCondition(input);
  const ready = readyCondition(input, containersReady);
  return [
    condition('PodReadyToStartContainers', input.sandboxReady ? 'True' : 'False'),
    initializedCondition(input),
    ready,
    containersReady,
  ];
}

function condition(type: string, status: PodCondition['status'], reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status, lastProbeTime: null };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** Go prints a []string as [a b]. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

function initializedCondition({ spec, phase, initStatuses, statuses }: ConditionInput): PodCondition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const container of spec.initContainers ?? []) {
    const s = initStatuses.find((c) => c.name === container.name);
    if (!s) unknown.push(container.name);
    else if (isSidecar(container)) {
      if (!s.started) incomplete.push(container.name);
    } else if (!s.state.terminated || s.state.terminated.exitCode !== 0) incomplete.push(container.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return condition('Initialized', 'True', 'PodCompleted');
  if (statuses.some((s) => s.state.running || s.state.terminated)) return condition('Initialized', 'True');
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length) return condition('Initialized', 'False', 'ContainersNotInitialized', messages.join(', '));
  return condition('Initialized', 'True');
}

function containersReadyCondition({ spec, phase, initStatuses, statuses }: ConditionInput): PodCondition {
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (name: string, list: ApiContainerStatus[]) => {
    const s = list.find((c) => c.name === name);
    if (!s) unknown.push(name);
    else if (!s.ready) unready.push(name);
  };
  for (const container of spec.initContainers ?? []) if (isSidecar(container)) check(container.name, initStatuses);
  for (const container of spec.containers) check(container.name, statuses);
  if (phase === 'Succeeded' && unknown.length === 0) return condition('ContainersReady', 'False', 'PodCompleted');
  if (phase === 'Failed') return condition('ContainersReady', 'False', 'PodFailed');
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length) return condition('ContainersReady', 'False', 'ContainersNotReady', messages.join(', '));
  return condition('ContainersReady', 'True');
}

function readyCondition({ spec, otherConditions }: ConditionInput, containersReady: PodCondition): PodCondition {
  if (containersReady.status !== 'True') return condition('Ready', containersReady.status, containersReady.reason, containersReady.message);
  const messages: string[] = [];
  for (const gate of spec.readinessGates ?? []) {
    const c = otherConditions.find((o) => o.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (messages.length) return condition('Ready', 'False', 'ReadinessGatesNotReady', messages.join(', '));
  return condition('Ready', 'True');
}
