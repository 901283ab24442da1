import { metaTime } from '@kubelab/client';
import type { KubeObject } from '@kubelab/client';
import { selectorFromSet } from '@kubelab/apimachinery';
import { isPodAvailable, isPodReady } from '../../controller/pod-util';

/** apps.ReplicaSetCondition. */
export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** apps.ReplicaSetStatus, as the API writes it (zero counts but `replicas` left out). */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

/** The condition a ReplicaSet carries while it cannot create or delete its pods. */
export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * calculateStatus: the counts of the ReplicaSet's active pods (fully labeled: carrying every
 * label of the template; available: ready for minReadySeconds), and a ReplicaFailure condition
 * while creating or deleting pods fails (reason FailedCreate / FailedDelete, the error as message),
 * removed once a sync succeeds.
 */
export function calculateStatus(rs: KubeObject, pods: KubeObject[], manageError: Error | undefined, nowMs: number): ReplicaSetStatus {
  const previous = (rs.status ?? {}) as Partial<ReplicaSetStatus>;
  const templateLabels = selectorFromSet((rs.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels);
  const minReadySeconds = Number(rs.spec?.minReadySeconds ?? 0);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = previous.conditions ?? [];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const diff = pods.length - replicasOf(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions = [...conditions, { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: metaTime(nowMs), reason, message: manageError.message }];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  return withoutZeros({ replicas: pods.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available, observedGeneration: previous.observedGeneration, conditions });
}

/** updateReplicaSetStatus's test: nothing to write when the counts, conditions and generation are already there. */
export function statusUpToDate(rs: KubeObject, status: ReplicaSetStatus): boolean {
  const s = (rs.status ?? {}) as Partial<ReplicaSetStatus>;
  return (
    (s.replicas ?? 0) === status.replicas &&
    (s.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (s.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (s.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    (rs.metadata.generation ?? 0) === (s.observedGeneration ?? 0) &&
    JSON.stringify(s.conditions ?? []) === JSON.stringify(status.conditions ?? [])
  );
}

/** spec.replicas (the API defaults it to 1). */
export function replicasOf(rs: KubeObject): number {
  return Number(rs.spec?.replicas ?? 1);
}

function withoutZeros(status: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: status.replicas };
  if (status.fullyLabeledReplicas) out.fullyLabeledReplicas = status.fullyLabeledReplicas;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.availableReplicas) out.availableReplicas = status.availableReplicas;
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}
