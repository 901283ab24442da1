import type { DaemonSet, IntOrString } from './types';

/**
 * intstr.GetScaledValueFromIntOrPercent: a number as is, "N%" of `total` rounded up or down.
 * Anything else is an error, as Kubernetes' "invalid value for IntOrString".
 */
export function scaledValueFromIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const match = /^(-?\d+)%$/.exec(value);
  if (!match) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** util.SurgeCount: how many extra daemon pods a RollingUpdate may start, out of `numberToSchedule`. */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const strategy = ds.spec.updateStrategy;
  if (strategy?.type !== 'RollingUpdate' || !strategy.rollingUpdate) return 0;
  return scaledValueFromIntOrPercent(strategy.rollingUpdate.maxSurge, numberToSchedule, true);
}

/** util.UnavailableCount: how many daemon pods a RollingUpdate may take down at once. */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const strategy = ds.spec.updateStrategy;
  if (strategy?.type !== 'RollingUpdate' || !strategy.rollingUpdate) return 0;
  return scaledValueFromIntOrPercent(strategy.rollingUpdate.maxUnavailable, numberToSchedule, true);
}

/** util.AllowsSurge: whether a node may run an old and a new daemon pod side by side. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}
