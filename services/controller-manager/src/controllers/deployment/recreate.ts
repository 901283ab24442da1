import type { KubeObject } from '@kubelab/client';
import { deploymentComplete } from './conditions';
import type { DeploymentSync } from './deployment-sync';
import { desiredReplicas } from './fenceposts';
import { activeReplicaSets, statusReplicasOf } from './replica-sets';

/**
 * rolloutRecreate: every old pod goes before a new one starts. Scale the old ReplicaSets to 0,
 * wait until none of their pods is left (terminating ones included), then create or scale the
 * new ReplicaSet to spec.replicas at once.
 */
export async function rolloutRecreate(sync: DeploymentSync, rsList: KubeObject[], podMap: Map<string, KubeObject[]>): Promise<void> {
  // The new ReplicaSet is not created yet: nothing may scale up before the old pods are gone.
  let { newRS, oldRSs } = await sync.newAndOldReplicaSets(rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) if ((await sync.scaleReplicaSetAndRecordEvent(rs, 0)).scaled) scaledDown = true;
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) return sync.syncRolloutStatus(allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await sync.newAndOldReplicaSets(rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  await sync.scaleReplicaSetAndRecordEvent(newRS!, desiredReplicas(sync.d));
  if (deploymentComplete(sync.d, sync.status)) await sync.cleanupDeployment(oldRSs);
  return sync.syncRolloutStatus(allRSs, newRS);
}

/** oldPodsRunning: an old ReplicaSet still reports pods, or a pod of one is not finished (Unknown counts as running). */
export function oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[], podMap: Map<string, KubeObject[]>): boolean {
  if (statusReplicasOf(oldRSs, 'replicas') > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((pod) => pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
