import type { KubeObject } from '@kubelab/client';
import { deploymentComplete } from './conditions';
import type { DeploymentSync } from './deployment-sync';
import { desiredReplicas, maxUnavailable } from './fenceposts';
import { activeReplicaSets, byCreationTimestamp, newRSNewReplicas, specReplicas, specReplicasOf, statusReplicasOf } from './replica-sets';

/**
 * rolloutRolling: one step of a rolling update. Scale the new ReplicaSet up as far as maxSurge
 * allows; if it did not grow, scale old ones down as far as maxUnavailable allows; once the
 * rollout is complete, clean up old revisions. Each sync moves one step; the ReplicaSets'
 * status changes (pods created, ready, gone) bring the next.
 */
export async function rolloutRolling(sync: DeploymentSync, rsList: KubeObject[]): Promise<void> {
  const { newRS, oldRSs } = await sync.newAndOldReplicaSets(rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(sync, allRSs, newRS!)) return sync.syncRolloutStatus(allRSs, newRS);
  if (await reconcileOldReplicaSets(sync, allRSs, activeReplicaSets(oldRSs), newRS!)) return sync.syncRolloutStatus(allRSs, newRS);
  if (deploymentComplete(sync.d, sync.status)) await sync.cleanupDeployment(oldRSs);
  return sync.syncRolloutStatus(allRSs, newRS);
}

/** reconcileNewReplicaSet: whether the new ReplicaSet was scaled (down, if above spec.replicas). */
export async function reconcileNewReplicaSet(sync: DeploymentSync, allRSs: KubeObject[], newRS: KubeObject): Promise<boolean> {
  const desired = desiredReplicas(sync.d);
  if (specReplicas(newRS) === desired) return false;
  const target = specReplicas(newRS) > desired ? desired : newRSNewReplicas(sync.d, allRSs, newRS);
  return (await sync.scaleReplicaSet(newRS, target)).scaled;
}

/**
 * reconcileOldReplicaSets: scale old ReplicaSets down by at most
 * all pods − (spec.replicas − maxUnavailable) − the new ReplicaSet's unavailable pods,
 * their unhealthy pods first (they cost no availability), then healthy ones while the available
 * pods stay above spec.replicas − maxUnavailable.
 */
export async function reconcileOldReplicaSets(sync: DeploymentSync, allRSs: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject): Promise<boolean> {
  if (specReplicasOf(oldRSs) === 0) return false;
  const minAvailable = desiredReplicas(sync.d) - maxUnavailable(sync.d);
  const newRSUnavailable = specReplicas(newRS) - statusReplicasOf([newRS], 'availableReplicas');
  const maxScaledDown = specReplicasOf(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleanup = await cleanupUnhealthyReplicas(sync, oldRSs, maxScaledDown);
  // A ReplicaSet whose status still counts more available pods than its new size (just scaled
  // down): nothing more is scaled down in this sync, as the deployment controller gives up there.
  if (!cleanup) return false;
  const { cleaned, oldRSs: afterCleanup } = cleanup;
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(sync, [...afterCleanup, newRS], afterCleanup);
  return cleaned + scaledDown > 0;
}

/** cleanupUnhealthyReplicas: scales old ReplicaSets down by their unavailable pods, oldest first, up to `maxCleanupCount`. */
async function cleanupUnhealthyReplicas(sync: DeploymentSync, oldRSs: KubeObject[], maxCleanupCount: number): Promise<{ cleaned: number; oldRSs: KubeObject[] } | undefined> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let cleaned = 0;
  for (const [i, rs] of sorted.entries()) {
    if (cleaned >= maxCleanupCount) break;
    const replicas = specReplicas(rs);
    const available = statusReplicasOf([rs], 'availableReplicas');
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanupCount - cleaned, replicas - available);
    // "got invalid request to scale down": a cleanup never scales a ReplicaSet up.
    if (count < 0) return undefined;
    sorted[i] = (await sync.scaleReplicaSet(rs, replicas - count)).rs;
    cleaned += count;
  }
  return { cleaned, oldRSs: sorted };
}

/** scaleDownOldReplicaSetsForRollingUpdate: takes available pods above spec.replicas − maxUnavailable off old ReplicaSets, oldest first. */
async function scaleDownOldReplicaSetsForRollingUpdate(sync: DeploymentSync, allRSs: KubeObject[], oldRSs: KubeObject[]): Promise<number> {
  const minAvailable = desiredReplicas(sync.d) - maxUnavailable(sync.d);
  const available = statusReplicasOf(allRSs, 'availableReplicas');
  if (available <= minAvailable) return 0;
  const total = available - minAvailable;
  let scaledDown = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (scaledDown >= total) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), total - scaledDown);
    await sync.scaleReplicaSet(rs, specReplicas(rs) - count);
    scaledDown += count;
  }
  return scaledDown;
}
