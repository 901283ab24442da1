import type { KubeObject } from '@kubelab/client';

/** The revision of a ReplicaSet (and, copied from its new ReplicaSet, of the Deployment): what `kubectl rollout history` lists. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The revisions a ReplicaSet had before (a rollback gives an old ReplicaSet a new revision). */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
/** spec.replicas of the Deployment when it last scaled the ReplicaSet: a difference means a scaling event. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** spec.replicas + maxSurge then: the base of proportional scaling. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations that are not copied to its ReplicaSets (annotationsToSkip). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** The revision-history annotation stops growing at this length (maxRevHistoryLengthInChars). */
const MAX_REVISION_HISTORY_CHARS = 2000;

/** deploymentutil.Revision: 0 without the annotation, undefined when it is not a number. */
export function revisionOf(object: KubeObject): number | undefined {
  const value = object.metadata.annotations?.[REVISION_ANNOTATION];
  if (value === undefined) return 0;
  return /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}

/** deploymentutil.MaxRevision: the highest revision among ReplicaSets (unreadable ones skipped). */
export function maxRevision(replicaSets: KubeObject[]): number {
  return replicaSets.reduce((max, rs) => Math.max(max, revisionOf(rs) ?? 0), 0);
}

function annotationsOf(object: KubeObject): Record<string, string> {
  return (object.metadata.annotations ??= {});
}

/**
 * SetNewReplicaSetAnnotations, on a copy of the new ReplicaSet: the Deployment's own annotations
 * (kubernetes.io/change-cause, for `kubectl rollout history`), the new revision if higher than
 * its own (the old one goes into revision-history: a rollback shows as "2,4"), and on a new
 * ReplicaSet the replica annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean, desired: number, max: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = annotationsOf(rs);
  const oldRevisionText = annotations[REVISION_ANNOTATION];
  let oldRevision = 0;
  if (oldRevisionText !== undefined && oldRevisionText !== '') {
    if (!/^[+-]?\d+$/.test(oldRevisionText)) return false;
    oldRevision = Number(oldRevisionText);
  }
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevisionText !== undefined) appendRevisionHistory(annotations, oldRevisionText);
  }
  if (!exists && setReplicasAnnotations(rs, desired, max)) changed = true;
  return changed;
}

function appendRevisionHistory(annotations: Record<string, string>, oldRevision: string): void {
  const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
  if (!history) {
    annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  const revisions = history.split(',');
  let length = history.length + oldRevision.length + 1;
  let start = 0;
  while (length > MAX_REVISION_HISTORY_CHARS && start < revisions.length) length -= revisions[start++]!.length + 1;
  if (length <= MAX_REVISION_HISTORY_CHARS) annotations[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldRevision].join(',');
}

/** copyDeploymentAnnotationsToReplicaSet. */
function copyDeploymentAnnotations(d: KubeObject, rs: KubeObject): boolean {
  const annotations = annotationsOf(rs);
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations, on a copy: desired-replicas and max-replicas; whether they changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  const annotations = annotationsOf(rs);
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  annotations[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations ?? {};
  return annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || annotations[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** The desired-replicas (or max-replicas) annotation as a number, if it is one. */
export function replicasAnnotation(rs: KubeObject, annotation: typeof DESIRED_REPLICAS_ANNOTATION | typeof MAX_REPLICAS_ANNOTATION): number | undefined {
  const value = rs.metadata.annotations?.[annotation];
  return value !== undefined && /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}

/** SetDeploymentRevision, on the Deployment being synced; whether it changed. */
export function setDeploymentRevision(d: KubeObject, revision: string): boolean {
  const annotations = annotationsOf(d);
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}
