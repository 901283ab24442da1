import type { PodCondition, PodSpec, PodStatus } from './api-types';
import { kubeletConditions, KUBELET_CONDITIONS } from './conditions';
import { apiContainerStatus, CONTAINER_CREATING, POD_INITIALIZING, type ContainerView } from './container-statuses';
import { podPhase } from './phase';
import { podQOSClass } from './qos';

export interface PodStatusInput {
  spec: PodSpec;
  /** The status the pod has now (for conditions the kubelet does not own). */
  oldStatus: PodStatus | undefined;
  initContainers: ContainerView[];
  containers: ContainerView[];
  /** They count for neither the phase nor readiness. */
  ephemeralContainers?: ContainerView[];
  podIP: string | undefined;
  hostIP: string;
  sandboxReady: boolean;
  /** The pod's containers are stopped for good (it is being deleted, or it has finished). */
  podIsTerminal: boolean;
}

/**
 * The pod status the kubelet reports (generateAPIPodStatus): phase, the kubelet's conditions,
 * init and regular container statuses, pod and host IPs, QoS class. Transition times and
 * startTime are settled by the status manager against what the apiserver has.
 */
export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { spec } = input;
  const defaultReason = (spec.initContainers?.length ?? 0) > 0 ? POD_INITIALIZING : CONTAINER_CREATING;
  const initStatuses = input.initContainers.map((v) => apiContainerStatus(v, defaultReason));
  const statuses = input.containers.map((v) => apiContainerStatus(v, defaultReason));
  const phase = podPhase(spec, initStatuses, statuses, input.podIsTerminal);
  const others: PodCondition[] = ((input.oldStatus?.conditions ?? []) as PodCondition[]).filter((c) => !(KUBELET_CONDITIONS as readonly string[]).includes(c.type));
  const status: PodStatus = {
    phase,
    conditions: [...kubeletConditions({ spec, phase, initStatuses, statuses, sandboxReady: input.sandboxReady, otherConditions: others }), ...others],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
  };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  status.containerStatuses = statuses;
  if (input.ephemeralContainers?.length) status.ephemeralContainerStatuses = input.ephemeralContainers.map((v) => apiContainerStatus(v, defaultReason));
  status.qosClass = podQOSClass(spec);
  return status;
}
