import { metaTime } from '@kubelab/client';
import type { ApiContainerStatus, PodCondition, PodSpec, PodStatus } from '../status/api-types';
import { kubeletConditions, KUBELET_CONDITIONS } from '../status/conditions';
import { podPhase } from '../status/phase';
import { podQOSClass } from '../status/qos';

/**
 * The status of a static pod's mirror (generateAPIPodStatus, for a pod whose containers are the
 * lab's processes): the phase from the container states (restartPolicy Always: Running while its
 * process runs, and still Running, with the container Terminated, once it is gone, as a static
 * pod waiting to be restarted is), the kubelet's conditions (others' kept), podIP and hostIP both
 * the node's IP (static control-plane pods use the host's network), and the QoS class.
 */
export function staticPodStatus(spec: PodSpec, statuses: ApiContainerStatus[], nodeIP: string, oldStatus: PodStatus | undefined): PodStatus {
  const phase = podPhase(spec, [], statuses, false);
  const others = ((oldStatus?.conditions ?? []) as PodCondition[]).filter((c) => !(KUBELET_CONDITIONS as readonly string[]).includes(c.type));
  const sandboxReady = statuses.some((s) => s.state.running);
  const conditions = [...kubeletConditions({ spec, phase, initStatuses: [], statuses, sandboxReady, otherConditions: others }), ...others];
  return {
    phase,
    conditions,
    hostIP: nodeIP,
    hostIPs: [{ ip: nodeIP }],
    podIP: nodeIP,
    podIPs: [{ ip: nodeIP }],
    containerStatuses: statuses,
    qosClass: podQOSClass(spec),
  };
}

/**
 * PodScheduled True, which the kubelet gives a static pod's mirror (no scheduler ever binds it):
 * written once when the mirror is created; the status manager keeps it from then on.
 */
export function podScheduledCondition(nowMs: number): PodCondition {
  return { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: metaTime(nowMs) };
}
