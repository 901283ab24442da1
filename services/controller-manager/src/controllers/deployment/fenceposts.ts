import type { KubeObject } from '@kubelab/client';
import { scaledValueFromIntOrPercent, type IntOrString } from '../../controller/int-or-string';

/** What the API fills in for a RollingUpdate strategy without its numbers. */
const DEFAULT_MAX_SURGE = '25%';
const DEFAULT_MAX_UNAVAILABLE = '25%';

interface Strategy {
  type?: string;
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
}

function strategyOf(d: KubeObject): Strategy {
  return (d.spec?.strategy as Strategy | undefined) ?? {};
}

/** A RollingUpdate Deployment (the default strategy). */
export function isRollingUpdate(d: KubeObject): boolean {
  return (strategyOf(d).type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** spec.replicas (the API defaults it to 1). */
export function desiredReplicas(d: KubeObject): number {
  return Number(d.spec?.replicas ?? 1);
}

/**
 * ResolveFenceposts: maxSurge rounded up, maxUnavailable rounded down. Both resolving to 0
 * (e.g. 25% of 1 replica for maxUnavailable, 0 for maxSurge) would let nothing move, so
 * maxUnavailable becomes 1 then.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function rollingFenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const rolling = strategyOf(d).rollingUpdate ?? {};
  return resolveFenceposts(rolling.maxSurge ?? DEFAULT_MAX_SURGE, rolling.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, desiredReplicas(d));
}

/** deploymentutil.MaxSurge: how many pods above spec.replicas a rollout may run (0 for Recreate). */
export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? rollingFenceposts(d).surge : 0;
}

/** deploymentutil.MaxUnavailable: how many of spec.replicas may be unavailable (0 for Recreate), at most spec.replicas. */
export function maxUnavailable(d: KubeObject): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(rollingFenceposts(d).unavailable, desired);
}
