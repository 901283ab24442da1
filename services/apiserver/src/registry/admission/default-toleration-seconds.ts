import type { KubeObject } from '../types';

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * The DefaultTolerationSeconds admission plugin: a pod that does not say how long it tolerates
 * its node being not-ready or unreachable gets `tolerationSeconds` (300 by default, the flags
 * --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds) for each,
 * so the taint eviction controller moves it away after five minutes.
 */
export function admitDefaultTolerationSeconds(pod: KubeObject, notReadySeconds: number, unreachableSeconds: number): void {
  const spec = (pod.spec ??= {}) as { tolerations?: Toleration[] };
  const tolerations = [...(spec.tolerations ?? [])];
  const tolerates = (key: string) => tolerations.some((t) => (t.effect === 'NoExecute' || !t.effect) && ((t.operator === 'Exists' && !t.key) || t.key === key));
  if (!tolerates('node.kubernetes.io/not-ready')) tolerations.push({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
  if (!tolerates('node.kubernetes.io/unreachable')) tolerations.push({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
  spec.tolerations = tolerations;
}
