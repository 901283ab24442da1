import type { KubeObject } from '@kubelab/client';
import type { NodeCondition } from './node-health';

/** How a zone is doing (ZoneState): it decides how fast its NotReady nodes get NoExecute taints. */
export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/** A node carrying this label is left out of the zone's count (node.kubernetes.io/exclude-disruption). */
export const LABEL_NODE_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/**
 * The zone a node is in, from its region and zone labels (topology.GetZoneKey); "" for none.
 * The deprecated failure-domain.beta labels win, as in Kubernetes.
 */
export function zoneKey(node: KubeObject): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels['failure-domain.beta.kubernetes.io/zone'] ?? labels['topology.kubernetes.io/zone'] ?? '';
  const region = labels['failure-domain.beta.kubernetes.io/region'] ?? labels['topology.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/**
 * A zone with no Ready node is fully disrupted; one with more than 2 and at least
 * `unhealthyZoneThreshold` of its nodes not Ready is partially disrupted; else normal
 * (ComputeZoneState). Returns the number of nodes not Ready too.
 */
export function computeZoneState(readyConditions: Array<NodeCondition | undefined>, unhealthyZoneThreshold: number): { notReady: number; state: ZoneState } {
  const ready = readyConditions.filter((c) => c?.status === 'True').length;
  const notReady = readyConditions.length - ready;
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyZoneThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}
