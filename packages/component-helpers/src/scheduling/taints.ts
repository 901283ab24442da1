import type { KubeObject } from '@kubelab/apimachinery';

/**
 * Taints and tolerations as both the scheduler and the controllers match them
 * (core/v1 Toleration.ToleratesTaint, k8s.io/component-helpers/scheduling/corev1 and v1helper):
 * one copy, so a pod the scheduler places on a tainted node is a pod the DaemonSet and taint
 * eviction controllers agree may be there.
 */

/** core/v1 Taint. */
export interface Taint {
  key: string;
  value?: string;
  /** NoSchedule, PreferNoSchedule or NoExecute. */
  effect: string;
  /** RFC 3339; set on taints the node lifecycle controller adds (when the taint appeared). */
  timeAdded?: string;
}

/** core/v1 Toleration. */
export interface Toleration {
  key?: string;
  /** "Equal" (the default) or "Exists". */
  operator?: string;
  value?: string;
  /** Empty: every effect. */
  effect?: string;
  /** For NoExecute taints: how long the pod may stay once the taint is there; unset: forever. */
  tolerationSeconds?: number;
}

/** A node's spec.taints. */
export function nodeTaints(node: Pick<KubeObject, 'spec'>): Taint[] {
  return (node.spec?.taints as Taint[] | undefined) ?? [];
}

/** A pod's spec.tolerations. */
export function podTolerations(pod: Pick<KubeObject, 'spec'>): Toleration[] {
  return (pod.spec?.tolerations as Toleration[] | undefined) ?? [];
}

/** Same key and effect: the identity of a taint on a node (Taint.MatchTaint). */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** Whether a taint with the same key and effect is in the list (taints.TaintExists). */
export function taintExists(taints: readonly Taint[], taint: Taint): boolean {
  return taints.some((t) => matchTaint(t, taint));
}

/** Toleration.ToleratesTaint: an empty effect or key matches any (an empty key with Exists: every taint); "Exists" ignores the value. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether one of the tolerations tolerates the taint (corev1.TolerationsTolerateTaint). */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** The taints that keep a pod off a node; PreferNoSchedule is only a preference (DoNotScheduleTaintsFilterFunc). */
export function doNotScheduleTaint(taint: Taint): boolean {
  return taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
}

/** The first taint (in the node's order) that `inclusionFilter` selects and no toleration tolerates (corev1.FindMatchingUntoleratedTaint). */
export function findMatchingUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], inclusionFilter: (taint: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => inclusionFilter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/**
 * Whether every taint is tolerated, and by which tolerations: for each taint, the first toleration
 * that tolerates it (v1helper.GetMatchingTolerations). One untolerated taint: none are reported.
 */
export function getMatchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const toleration = tolerations.find((t) => toleratesTaint(t, taint));
    if (!toleration) return { allTolerated: false, used: [] };
    used.push(toleration);
  }
  return { allTolerated: true, used };
}
