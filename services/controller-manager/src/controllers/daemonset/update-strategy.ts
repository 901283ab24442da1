import { scaledValueFromIntOrPercent } from '../../controller/int-or-string';
import type { DaemonSet } from './types';

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
