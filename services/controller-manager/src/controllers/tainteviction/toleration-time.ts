import { getMatchingTolerations, type Taint, type Toleration } from '@kubelab/component-helpers';

/** The taints that evict running pods. */
export function noExecuteTaints(taints: readonly Taint[]): Taint[] {
  return taints.filter((t) => t.effect === 'NoExecute');
}

/**
 * How long a pod may stay on a node with these NoExecute taints: 0 when a taint is not tolerated
 * (evict now), the smallest tolerationSeconds of the tolerations used (a toleration at 0 or below
 * is 0), or -1 when every taint is tolerated forever (getMinTolerationTime).
 */
export function tolerationTimeMs(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  const { allTolerated, used } = getMatchingTolerations(taints, tolerations);
  if (!allTolerated || !used.length) return 0;
  let min = Infinity;
  for (const toleration of used) {
    if (toleration.tolerationSeconds === undefined || toleration.tolerationSeconds === null) continue;
    if (toleration.tolerationSeconds <= 0) return 0;
    min = Math.min(min, toleration.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}
