import type { KubeObject } from '@kubelab/client';
import { podRequests } from './resource';
import type { Pod } from './types';

/**
 * What changed in the cluster (framework.ClusterEvent), so that a pod rejected by some plugins
 * goes back to the active queue only on a change that may help it: a node labelled for a pod
 * whose NodeAffinity failed, a taint removed for one TaintToleration rejected. `Pod` events are
 * about assigned pods (the pod being scheduled has its own update path); a plugin registers
 * for `*` to hear of every resource.
 */
export type EventResource = 'Pod' | 'Node' | '*';

/** framework.ActionType: a bit set, so a plugin registers for several at once. */
export const ActionType = Object.freeze({
  Add: 1 << 0,
  Delete: 1 << 1,
  UpdateNodeAllocatable: 1 << 2,
  UpdateNodeLabel: 1 << 3,
  UpdateNodeTaint: 1 << 4,
  UpdateNodeCondition: 1 << 5,
  UpdateNodeAnnotation: 1 << 6,
  UpdatePodLabel: 1 << 7,
  /** A pod's resource requests went down (in-place resize): room was freed. */
  UpdatePodScaleDown: 1 << 8,
  UpdatePodTolerations: 1 << 9,
  /** Any other change to a pod's spec or metadata. */
  UpdatePodOther: 1 << 10,
  Update: (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10),
  All: (1 << 11) - 1,
});

export interface ClusterEvent {
  resource: EventResource;
  actionType: number;
  /** For logs: "NodeLabelChange". */
  label: string;
}

/** Does an event a plugin registered for (`registered`, `*` for any resource) cover the one that happened? */
export function eventMatches(registered: ClusterEvent, event: ClusterEvent): boolean {
  return (registered.resource === '*' || registered.resource === event.resource) && (registered.actionType & event.actionType) !== 0;
}

/** framework.QueueingHint: whether an event may make the rejected pod schedulable. */
export type QueueingHint = 'Queue' | 'QueueSkip';

/** Decides for one pod whether `oldObj` → `newObj` may help it; an event without one always queues. */
export type QueueingHintFn = (pod: Pod, oldObj: KubeObject | undefined, newObj: KubeObject | undefined) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  queueingHint?: QueueingHintFn;
}

/** The events of Kubernetes' framework/events.go that kubelab's event handlers emit. */
export const ClusterEvents = Object.freeze({
  NodeAdd: { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' },
  NodeAllocatableChange: { resource: 'Node', actionType: ActionType.UpdateNodeAllocatable, label: 'NodeAllocatableChange' },
  NodeLabelChange: { resource: 'Node', actionType: ActionType.UpdateNodeLabel, label: 'NodeLabelChange' },
  NodeTaintChange: { resource: 'Node', actionType: ActionType.UpdateNodeTaint, label: 'NodeTaintChange' },
  NodeConditionChange: { resource: 'Node', actionType: ActionType.UpdateNodeCondition, label: 'NodeConditionChange' },
  NodeAnnotationChange: { resource: 'Node', actionType: ActionType.UpdateNodeAnnotation, label: 'NodeAnnotationChange' },
  /** spec.unschedulable is a taint in all but name (node.kubernetes.io/unschedulable). */
  NodeSpecUnschedulableChange: { resource: 'Node', actionType: ActionType.UpdateNodeTaint, label: 'NodeSpecUnschedulableChange' },
  AssignedPodAdd: { resource: 'Pod', actionType: ActionType.Add, label: 'AssignedPodAdd' },
  AssignedPodDelete: { resource: 'Pod', actionType: ActionType.Delete, label: 'AssignedPodDelete' },
} satisfies Record<string, ClusterEvent>);

interface NodeShape {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: unknown[] };
  status?: { allocatable?: Record<string, string>; conditions?: Array<{ type: string; status: string }> };
}

/** Which scheduling-relevant parts of a node changed (framework.NodeSchedulingPropertiesChange). */
export function nodeSchedulingPropertiesChange(newNode: KubeObject, oldNode: KubeObject): ClusterEvent[] {
  const n = newNode as unknown as NodeShape;
  const o = oldNode as unknown as NodeShape;
  const conditions = (node: NodeShape) => (node.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();
  const events: ClusterEvent[] = [];
  if (Boolean(n.spec?.unschedulable) !== Boolean(o.spec?.unschedulable)) events.push(ClusterEvents.NodeSpecUnschedulableChange);
  if (!same(n.status?.allocatable, o.status?.allocatable)) events.push(ClusterEvents.NodeAllocatableChange);
  if (!same(n.metadata.labels, o.metadata.labels)) events.push(ClusterEvents.NodeLabelChange);
  if (!same(n.spec?.taints, o.spec?.taints)) events.push(ClusterEvents.NodeTaintChange);
  if (!same(conditions(n), conditions(o))) events.push(ClusterEvents.NodeConditionChange);
  if (!same(n.metadata.annotations, o.metadata.annotations)) events.push(ClusterEvents.NodeAnnotationChange);
  return events;
}

/** Which scheduling-relevant parts of an assigned pod changed (framework.PodSchedulingPropertiesChange). */
export function podSchedulingPropertiesChange(newPod: KubeObject, oldPod: KubeObject): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (!same(newPod.metadata.labels, oldPod.metadata.labels)) events.push({ resource: 'Pod', actionType: ActionType.UpdatePodLabel, label: 'AssignedPodUpdateLabel' });
  const before = podRequests(oldPod);
  const after = podRequests(newPod);
  if (after.milliCPU < before.milliCPU || after.memory < before.memory) events.push({ resource: 'Pod', actionType: ActionType.UpdatePodScaleDown, label: 'AssignedPodUpdateScaleDown' });
  if (!same(newPod.spec?.tolerations, oldPod.spec?.tolerations)) events.push({ resource: 'Pod', actionType: ActionType.UpdatePodTolerations, label: 'AssignedPodUpdateTolerations' });
  if (!events.length) events.push({ resource: 'Pod', actionType: ActionType.UpdatePodOther, label: 'AssignedPodUpdate' });
  return events;
}

/** Equal as the API would serve them (a missing field equals null). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
