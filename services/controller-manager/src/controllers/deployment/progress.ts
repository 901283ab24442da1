import type { KubeObject } from '@kubelab/client';
import { semanticEqual } from '../../controller/semantic-equal';
import {
  AVAILABLE,
  PROGRESSING,
  REPLICA_FAILURE,
  Reasons,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  fromReplicaSetCondition,
  getCondition,
  hasProgressDeadline,
  newCondition,
  removeCondition,
  setCondition,
  type DeploymentCondition,
  type DeploymentStatus,
} from './conditions';
import { desiredReplicas, maxUnavailable } from './fenceposts';
import { specReplicasOf, statusReplicasOf } from './replica-sets';

/**
 * calculateStatus: the Deployment's counts from its ReplicaSets' statuses (updated: the new
 * ReplicaSet's pods), and the Available condition: at least spec.replicas − maxUnavailable
 * pods available.
 */
export function calculateStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined, d: KubeObject, nowMs: number): DeploymentStatus {
  const current = (d.status ?? {}) as DeploymentStatus;
  const available = statusReplicasOf(allRSs, 'availableReplicas');
  const unavailable = Math.max(0, specReplicasOf(allRSs) - available);
  const status: DeploymentStatus = withoutZeros({
    observedGeneration: d.metadata.generation,
    replicas: statusReplicasOf(allRSs, 'replicas'),
    updatedReplicas: statusReplicasOf([newRS], 'replicas'),
    readyReplicas: statusReplicasOf(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  });
  if (current.collisionCount !== undefined) status.collisionCount = current.collisionCount;
  if (current.conditions?.length) status.conditions = current.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', Reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', Reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/**
 * The status syncRolloutStatus writes: calculateStatus, and while a rollout is under way the
 * Progressing condition: NewReplicaSetAvailable once complete, ReplicaSetUpdated (its
 * lastUpdateTime moved) on any progress, ProgressDeadlineExceeded after progressDeadlineSeconds
 * without. A ReplicaFailure of the ReplicaSets (the new one's first) is carried over.
 */
export function rolloutStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined, d: KubeObject, nowMs: number): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const current = getCondition(d.status as DeploymentStatus | undefined, PROGRESSING);
  const complete = status.replicas === status.updatedReplicas && current?.reason === Reasons.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = d.metadata.name!;
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(PROGRESSING, 'True', Reasons.newReplicaSetAvailable, `${subject} has successfully progressed.`, nowMs));
    } else if (deploymentProgressing(d, status)) {
      // Progress moves lastUpdateTime even when the reason stays: that is what the deadline counts from.
      const condition = newCondition(PROGRESSING, 'True', Reasons.replicaSetUpdated, `${subject} is progressing.`, nowMs);
      if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, PROGRESSING);
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(status, newCondition(PROGRESSING, 'False', Reasons.timedOut, `${subject} has timed out progressing.`, nowMs));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure first, else the first old one's. */
function replicaFailure(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): DeploymentCondition | undefined {
  for (const rs of [newRS, ...allRSs]) {
    const c = (rs?.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === REPLICA_FAILURE);
    if (c) return fromReplicaSetCondition(c);
  }
  return undefined;
}

/**
 * requeueStuckDeployment: when to look again for the progress deadline of a rollout that shows
 * no progress: the Progressing condition's lastUpdateTime + progressDeadlineSeconds (0: now).
 * Undefined when there is nothing to watch (no deadline, complete, or already timed out).
 */
export function progressCheckAfter(d: KubeObject, status: DeploymentStatus, nowMs: number): number | undefined {
  const current = getCondition(d.status as DeploymentStatus | undefined, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, status) || current.reason === Reasons.timedOut) return undefined;
  const from = current.lastUpdateTime ? Date.parse(current.lastUpdateTime) : 0;
  const after = from + Number(d.spec!.progressDeadlineSeconds) * 1000 - nowMs;
  return after < 1000 ? 0 : after;
}

/** reflect.DeepEqual of two statuses, a missing count being 0. */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return semanticEqual(withoutZeros(a ?? {}), withoutZeros(b));
}

function withoutZeros(status: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [key, value] of Object.entries(status) as Array<[keyof DeploymentStatus, unknown]>) {
    if (value === undefined || value === 0 || (Array.isArray(value) && !value.length)) continue;
    (out as Record<string, unknown>)[key] = value;
  }
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  return out;
}
