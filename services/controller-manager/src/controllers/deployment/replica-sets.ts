import type { KubeObject } from '@kubelab/client';
import { equalIgnoreHash, type PodTemplate } from '../../controller/pod-template-hash';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, replicasAnnotation, revisionOf } from './annotations';
import { desiredReplicas, isRollingUpdate, maxSurge } from './fenceposts';

/** The ReplicaSets of a Deployment and what their counts add up to (pkg/controller/deployment/util). */

/** spec.replicas of a ReplicaSet. */
export function specReplicas(rs: KubeObject): number {
  return Number(rs.spec?.replicas ?? 1);
}

function statusCount(rs: KubeObject, field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return Number(rs.status?.[field] ?? 0);
}

/** GetReplicaCountForReplicaSets: the pods asked for. */
export function specReplicasOf(replicaSets: Array<KubeObject | undefined>): number {
  return replicaSets.reduce((sum, rs) => sum + (rs ? specReplicas(rs) : 0), 0);
}

/** GetActualReplicaCountForReplicaSets / GetReadyReplicaCount... / GetAvailableReplicaCount...: what their statuses report. */
export function statusReplicasOf(replicaSets: Array<KubeObject | undefined>, field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return replicaSets.reduce((sum, rs) => sum + (rs ? statusCount(rs, field) : 0), 0);
}

/** FilterActiveReplicaSets: those that have (or ought to have) pods. */
export function activeReplicaSets(replicaSets: Array<KubeObject | undefined>): KubeObject[] {
  return replicaSets.filter((rs): rs is KubeObject => rs !== undefined && specReplicas(rs) > 0);
}

function created(rs: KubeObject): number {
  const ms = rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreationTimestamp(a: KubeObject, b: KubeObject): number {
  return created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

/** ReplicaSetsBySizeOlder: largest first, then oldest. */
export function bySizeOlder(a: KubeObject, b: KubeObject): number {
  return specReplicas(b) - specReplicas(a) || byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: largest first, then newest. */
export function bySizeNewer(a: KubeObject, b: KubeObject): number {
  return specReplicas(b) - specReplicas(a) || byCreationTimestamp(b, a);
}

/** ReplicaSetsByRevision: lowest revision first; unreadable or equal revisions by age. */
export function byRevision(a: KubeObject, b: KubeObject): number {
  const [ra, rb] = [revisionOf(a), revisionOf(b)];
  if (ra === undefined || rb === undefined || ra === rb) return byCreationTimestamp(a, b);
  return ra - rb;
}

function templateOf(object: KubeObject): PodTemplate | undefined {
  return object.spec?.template as PodTemplate | undefined;
}

/**
 * FindNewReplicaSet: the ReplicaSet whose template is the Deployment's (ignoring the hash label);
 * the oldest if several are (possible after an upgrade changed the hash).
 */
export function findNewReplicaSet(d: KubeObject, replicaSets: KubeObject[]): KubeObject | undefined {
  return [...replicaSets].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(templateOf(rs), templateOf(d)));
}

/** FindOldReplicaSets: every other ReplicaSet, oldest first. */
export function findOldReplicaSets(d: KubeObject, replicaSets: KubeObject[]): KubeObject[] {
  const newRS = findNewReplicaSet(d, replicaSets);
  return [...replicaSets].sort(byCreationTimestamp).filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/**
 * FindActiveOrLatest: the one ReplicaSet with pods, or the newest if none has any; undefined when
 * several have pods (a rollout is under way).
 */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** IsSaturated: the new ReplicaSet has all the replicas, was told so, and all are available. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = replicasAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
  if (desired === undefined) return false;
  const replicas = desiredReplicas(d);
  return specReplicas(rs) === replicas && desired === replicas && statusCount(rs, 'availableReplicas') === replicas;
}

/**
 * NewRSNewReplicas: how far the new ReplicaSet may grow now. RollingUpdate: up to
 * spec.replicas + maxSurge pods in all, never past spec.replicas itself; Recreate: all at once.
 */
export function newRSNewReplicas(d: KubeObject, allRSs: Array<KubeObject | undefined>, newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const current = specReplicasOf(allRSs);
  const maxTotal = desiredReplicas(d) + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, desiredReplicas(d) - specReplicas(newRS));
}

/**
 * GetProportion: a ReplicaSet's share of `toAdd` replicas (negative: to remove) in a scaling
 * event during a rollout, by its size against the size the Deployment had (max-replicas), and
 * never past what is left to hand out.
 */
export function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** getReplicaSetFraction: round(replicas × new max / old max) − replicas. */
function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  const annotated = replicasAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? Number((d.status as { replicas?: number } | undefined)?.replicas ?? 0);
  if (annotated === 0) return 0;
  return roundHalfAwayFromZero((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/** integer.RoundToInt32. */
function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}
