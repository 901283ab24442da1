import { findEqualRevisions, equalRevision, newControllerRevision, type ControllerHistory, type ControllerRevision } from '../../controller/controller-history';
import { getPodRevision, setRef } from './stateful-pod';
import type { Pod, PodTemplateSpec, StatefulSet } from './types';

/** The default of spec.revisionHistoryLimit. */
const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/**
 * What a StatefulSet revision holds (getPatch): a strategic merge patch that puts this template
 * back, `{"spec":{"template":{..., "$patch":"replace"}}}`, which `kubectl rollout undo` applies.
 */
export function statefulSetPatch(set: StatefulSet): unknown {
  return { spec: { template: { ...structuredClone(set.spec.template ?? {}), $patch: 'replace' } } };
}

/**
 * newRevision: the set's template as a revision numbered `revision`, labelled as the template,
 * named `<set>-<hash of the data and collision count>`, with the set's annotations (so
 * `kubectl rollout history` shows kubernetes.io/change-cause).
 */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, setRef(set), set.spec.template?.metadata?.labels, statefulSetPatch(set), revision, collisionCount);
  if (set.metadata.annotations) cr.metadata.annotations = { ...cr.metadata.annotations, ...set.metadata.annotations };
  return cr;
}

/** ApplyRevision: the set with the revision's template (what the `$patch: replace` patch does). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const template = structuredClone((revision.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined)?.spec?.template ?? {});
  delete template.$patch;
  return { ...structuredClone(set), spec: { ...structuredClone(set.spec), template } };
}

/** One more than the newest revision (revisions sorted), 1 for the first. */
export function nextRevision(sorted: readonly ControllerRevision[]): number {
  return sorted.length === 0 ? 1 : sorted[sorted.length - 1]!.revision + 1;
}

/**
 * getStatefulSetRevisions: the current revision (status.currentRevision, or the update revision
 * for a new set) and the update revision, the set's template now. A template seen before reuses
 * its revision: unchanged if it is the newest, renumbered as the newest if it is older (a rollback).
 * A new template is a new revision, whose name may collide: the collision count that worked comes back.
 */
export async function getStatefulSetRevisions(history: ControllerHistory, set: StatefulSet, sorted: readonly ControllerRevision[]): Promise<{ currentRevision: ControllerRevision; updateRevision: ControllerRevision; collisionCount: number }> {
  let collisionCount = set.status?.collisionCount ?? 0;
  let updateRevision = newRevision(set, nextRevision(sorted), collisionCount);
  const equal = findEqualRevisions(sorted, updateRevision);
  const newest = sorted[sorted.length - 1];
  if (equal.length > 0 && equalRevision(newest, equal[equal.length - 1])) {
    updateRevision = newest!;
  } else if (equal.length > 0) {
    updateRevision = await history.updateControllerRevision(equal[equal.length - 1]!, updateRevision.revision);
  } else {
    ({ revision: updateRevision, collisionCount } = await history.createControllerRevision(set, updateRevision, collisionCount));
  }
  const currentRevision = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? updateRevision;
  return { currentRevision, updateRevision, collisionCount };
}

/**
 * truncateHistory: deletes the oldest revisions beyond spec.revisionHistoryLimit, never the
 * current and update revisions nor one a pod still has.
 */
export async function truncateHistory(history: ControllerHistory, set: StatefulSet, pods: readonly Pod[], sorted: readonly ControllerRevision[], current: ControllerRevision | undefined, update: ControllerRevision | undefined): Promise<void> {
  const live = new Set<string>([...pods.map(getPodRevision)]);
  if (current) live.add(current.metadata.name!);
  if (update) live.add(update.metadata.name!);
  const old = sorted.filter((r) => !live.has(r.metadata.name!));
  const limit = set.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  if (limit < 0 || old.length <= limit) return;
  for (const revision of old.slice(0, old.length - limit)) await history.deleteControllerRevision(revision);
}
