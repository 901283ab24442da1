import type { Node, Pod } from '../../framework/types';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
}

export interface Toleration {
  key?: string;
  /** Equal (the default) or Exists. */
  operator?: string;
  value?: string;
  /** Empty: every effect. */
  effect?: string;
  tolerationSeconds?: number;
}

export function taintsOf(node: Node): Taint[] {
  return ((node.spec?.taints ?? []) as Taint[]);
}

export function tolerationsOf(pod: Pod): Toleration[] {
  return ((pod.spec?.tolerations ?? []) as Toleration[]);
}

/** v1.Toleration.ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect every effect. */
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

export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** The taints the Filter cares about: PreferNoSchedule is only a preference (scored). */
export function doNotScheduleTaint(taint: Taint): boolean {
  return taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
}

/** The first taint (in the node's order) that `inScope` selects and no toleration tolerates (v1helper.FindMatchingUntoleratedTaint). */
export function findMatchingUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], inScope: (taint: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => inScope(taint) && !tolerationsTolerateTaint(tolerations, taint));
}
