import type { ControllerRevision } from '../../controller/controller-history';
import { getPodRevision, isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating, replicasOf } from './stateful-pod';
import type { Pod, StatefulSet, StatefulSetStatus } from './types';

/**
 * The replica counts of a status (updateStatus / computeReplicaStatus), over the given pod lists:
 * created pods; Running and Ready ones, and of those the available ones; and, among created pods
 * not being deleted, those at the current and at the update revision.
 */
export function countReplicas(status: StatefulSetStatus, minReadySeconds: number, now: number, currentRevision: ControllerRevision, updateRevision: ControllerRevision, ...podLists: ReadonlyArray<readonly Pod[]>): void {
  status.replicas = status.readyReplicas = status.availableReplicas = status.currentReplicas = status.updatedReplicas = 0;
  for (const pod of podLists.flat()) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === currentRevision.metadata.name) status.currentReplicas++;
      if (revision === updateRevision.metadata.name) status.updatedReplicas++;
    }
  }
}

/**
 * completeRollingUpdate: once every replica is updated and ready, the update revision becomes
 * the current one (the rollout is done).
 */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const replicas = replicasOf(set);
  if (set.spec.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** Whether the status differs from the stored one in what is worth a write (inconsistentStatus). */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const stored = set.status ?? {};
  return (
    (status.observedGeneration ?? 0) > (stored.observedGeneration ?? 0) ||
    status.replicas !== (stored.replicas ?? 0) ||
    status.currentReplicas !== (stored.currentReplicas ?? 0) ||
    status.readyReplicas !== (stored.readyReplicas ?? 0) ||
    status.updatedReplicas !== (stored.updatedReplicas ?? 0) ||
    status.currentRevision !== stored.currentRevision ||
    status.availableReplicas !== (stored.availableReplicas ?? 0) ||
    status.updateRevision !== stored.updateRevision
  );
}
