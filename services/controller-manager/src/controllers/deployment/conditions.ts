import { metaTime } from '@kubelab/client';
import type { KubeObject } from '@kubelab/client';
import { desiredReplicas } from './fenceposts';

/** apps.DeploymentCondition. */
export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** apps.DeploymentStatus, as the API writes it (zero counts left out). */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';

/** The reasons of the conditions (pkg/controller/deployment/util), as `kubectl describe` shows them. */
export const Reasons = Object.freeze({
  /** Progressing True: the new ReplicaSet was scaled up or an old one down. */
  replicaSetUpdated: 'ReplicaSetUpdated',
  /** Progressing False: creating the new ReplicaSet failed. */
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  /** Progressing True: the rollout is complete (what `kubectl rollout status` waits for). */
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  /** Progressing False: no progress for progressDeadlineSeconds. */
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
});

/** NewDeploymentCondition: both times now. */
export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, nowMs: number): DeploymentCondition {
  const now = metaTime(nowMs);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: a condition with the same status and reason as the present one
 * changes nothing; with the same status it keeps the old lastTransitionTime.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

/** ReplicaSetToDeploymentCondition: a ReplicaSet's ReplicaFailure, as the Deployment's. */
export function fromReplicaSetCondition(c: { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }): DeploymentCondition {
  return { type: c.type, status: c.status as DeploymentCondition['status'], lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/** A progress deadline is set (and not the "never" value, MaxInt32). */
export function hasProgressDeadline(d: KubeObject): boolean {
  const seconds = d.spec?.progressDeadlineSeconds;
  return typeof seconds === 'number' && seconds !== 2 ** 31 - 1;
}

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function deploymentComplete(d: KubeObject, status: DeploymentStatus): boolean {
  const desired = desiredReplicas(d);
  return (status.updatedReplicas ?? 0) === desired && (status.replicas ?? 0) === desired && (status.availableReplicas ?? 0) === desired && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, ready or available replicas, or fewer old ones, than the last status said. */
export function deploymentProgressing(d: KubeObject, status: DeploymentStatus): boolean {
  const old = (d.status ?? {}) as DeploymentStatus;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * DeploymentTimedOut: no progress reported for progressDeadlineSeconds since the Progressing
 * condition was last updated. A completed rollout never times out; one that did stays so.
 */
export function deploymentTimedOut(d: KubeObject, status: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, PROGRESSING);
  if (!condition) return false;
  if (condition.reason === Reasons.newReplicaSetAvailable) return false;
  if (condition.reason === Reasons.timedOut) return true;
  const from = condition.lastUpdateTime ? Date.parse(condition.lastUpdateTime) : 0;
  return from + Number(d.spec!.progressDeadlineSeconds) * 1000 < nowMs;
}
