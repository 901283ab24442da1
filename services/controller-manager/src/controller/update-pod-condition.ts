import { metaTime } from '@kubelab/client';


/** core/v1 PodCondition. */
export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

/**
 * Sets a condition in a pod status (podutil.UpdatePodCondition): a new condition, or a changed
 * one, gets `lastTransitionTime` now unless its status stays the same. Returns whether anything
 * changed, so callers write only when it did. `status` is changed in place.
 */
export function updatePodCondition(status: Record<string, unknown>, condition: PodCondition, nowMs: number): boolean {
  const next: PodCondition = { ...condition, lastTransitionTime: metaTime(nowMs) };
  const conditions = ((status.conditions as PodCondition[] | undefined) ?? []).slice();
  const index = conditions.findIndex((c) => c.type === condition.type);
  if (index < 0) {
    status.conditions = [...conditions, next];
    return true;
  }
  const old = conditions[index]!;
  if (next.status === old.status && old.lastTransitionTime !== undefined) next.lastTransitionTime = old.lastTransitionTime;
  const equal =
    next.status === old.status &&
    (next.reason ?? '') === (old.reason ?? '') &&
    (next.message ?? '') === (old.message ?? '') &&
    (next.lastProbeTime ?? null) === (old.lastProbeTime ?? null) &&
    next.lastTransitionTime === old.lastTransitionTime;
  conditions[index] = next;
  status.conditions = conditions;
  return !equal;
}
