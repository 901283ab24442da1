import type { EndpointSubset } from './types';

/** The most addresses one Endpoints holds (the endpoints controller's maxCapacity). */
export const MAX_CAPACITY = 1000;
/** Set on an Endpoints whose addresses were cut to MAX_CAPACITY (v1.EndpointsOverCapacity). */
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

/**
 * truncateEndpoints: cuts the subsets to MAX_CAPACITY addresses, ready ones first, each subset
 * keeping its share (rounded up) of what is kept. Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false;
  const truncateReady = totalReady > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const subset of subsets) {
    const inSubset = (truncateReady ? subset.addresses?.length : subset.notReadyAddresses?.length) ?? 0;
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * max), canBeAdded);
    if (truncateReady) {
      subset.addresses = subset.addresses?.slice(0, toBeAdded);
      delete subset.notReadyAddresses;
      canBeAdded -= subset.addresses?.length ?? 0;
    } else {
      subset.notReadyAddresses = subset.notReadyAddresses?.slice(0, toBeAdded);
      canBeAdded -= subset.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

/** capacityAnnotationSetCorrectly: the annotation is there exactly when the subsets are over capacity. */
export function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: EndpointSubset[]): boolean {
  const count = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (count > MAX_CAPACITY) return false;
  return annotations?.[OVER_CAPACITY] === undefined;
}
