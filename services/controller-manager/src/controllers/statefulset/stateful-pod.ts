import type { KubeObject } from '@kubelab/client';
import type { OwnerReference } from '@kubelab/apimachinery';
import { newControllerRef } from '../../controller/controller-ref';
import { isPodAvailable, isPodReady, podFromTemplate } from '../../controller/pod-util';
import type { Pod, StatefulSet } from './types';

/** The label with the pod's own name, for a Service selecting one pod (apps.StatefulSetPodNameLabel). */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** The label with the pod's ordinal (apps.PodIndexLabel). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The label with the name of the pod's revision (apps.StatefulSetRevisionLabel). */
export const STATEFULSET_REVISION_LABEL = 'controller-revision-hash';

/** `<parent>-<ordinal>`: what makes a pod a member of a StatefulSet (statefulPodRegex). */
const STATEFUL_POD_NAME = /^(.*)-([0-9]+)$/;

/** The parent's name and the ordinal in a pod's name; ordinal -1 when the name has none (getParentNameAndOrdinal). */
export function parentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const match = STATEFUL_POD_NAME.exec(pod.metadata.name ?? '');
  if (!match) return { parent: '', ordinal: -1 };
  const ordinal = Number(match[2]);
  return { parent: match[1]!, ordinal: Number.isSafeInteger(ordinal) && ordinal <= 2 ** 31 - 1 ? ordinal : -1 };
}

export function getOrdinal(pod: Pod): number {
  return parentNameAndOrdinal(pod).ordinal;
}

/** spec.ordinals.start, or 0. */
export function getStartOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** The last ordinal the set should have (inclusive). */
export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + replicasOf(set) - 1;
}

/** spec.replicas (1 when unset, as the apiserver defaults it). */
export function replicasOf(set: StatefulSet): number {
  return set.spec.replicas ?? 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** Whether the pod's name makes it one of the set's (isMemberOf): only those are claimed. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata.name;
}

/** The pod has the identity of a member of set: its name, namespace and pod-name label (identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === getPodName(set, ordinal) && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[STATEFULSET_POD_NAME_LABEL] === pod.metadata.name;
}

/** Gives the pod its name, namespace and identity labels (updateIdentity). */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...pod.metadata.labels, [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata.labels?.[STATEFULSET_REVISION_LABEL] ?? '';
}

/**
 * newStatefulSetPod: a pod of the set's template named `<set>-<ordinal>`, with the identity
 * labels, and the hostname and subdomain (spec.serviceName) that give it the stable DNS name
 * `<pod>.<service>.<namespace>.svc` (set on creation only: they cannot change). Volume claim
 * templates are not made into volumes: kubelab serves no PersistentVolumeClaims.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, ref: OwnerReference = setRef(set)): Pod {
  const pod = podFromTemplate(set.spec.template as KubeObject | undefined, set.metadata.namespace!, `${set.metadata.name}-`, ref) as Pod;
  pod.metadata.name = getPodName(set, ordinal);
  updateIdentity(set, pod);
  const spec = (pod.spec ??= {});
  spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  return pod;
}

/**
 * newVersionedStatefulSetPod: the pod for `ordinal` at the revision it should have. With
 * RollingUpdate, ordinals below the partition stay at the current revision; all others (and every
 * pod with OnDelete) are made at the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const atCurrent =
    (strategy?.type === 'RollingUpdate' && strategy.rollingUpdate === undefined && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (strategy?.rollingUpdate !== undefined && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = atCurrent ? newStatefulSetPod(currentSet, ordinal) : newStatefulSetPod(updateSet, ordinal);
  pod.metadata.labels = { ...pod.metadata.labels, [STATEFULSET_REVISION_LABEL]: atCurrent ? currentRevision : updateRevision };
  return pod;
}

export function setRef(set: StatefulSet): OwnerReference {
  return newControllerRef(set, 'apps/v1', 'StatefulSet');
}

/** Created: the apiserver gave it a phase (a pod made here but not yet created has none). */
export function isCreated(pod: Pod): boolean {
  return Boolean(pod.status?.phase);
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata.deletionTimestamp);
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}

/** Not available (for minReadySeconds), or being deleted. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}
