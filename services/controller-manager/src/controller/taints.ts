import type { KubeObject } from '@kubelab/client';

/** core/v1 Taint. */
export interface Taint {
  key: string;
  value?: string;
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
  effect?: string;
  /** For NoExecute taints: how long the pod may stay once the taint is there; unset: forever. */
  tolerationSeconds?: number;
}

export function nodeTaints(node: KubeObject): Taint[] {
  return (node.spec?.taints as Taint[] | undefined) ?? [];
}

export function podTolerations(pod: KubeObject): Toleration[] {
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

/** Toleration.ToleratesTaint: an empty effect or key matches any; "Exists" ignores the value. */
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
