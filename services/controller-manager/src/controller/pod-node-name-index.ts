import type { KubeObject } from '@kubelab/client';

/**
 * The pod informer's index by node ("spec.nodeName", as kube-controller-manager's node
 * controllers share it): the pods bound to a node are a lookup, not a scan. Unbound pods are in
 * no entry.
 */
export const POD_NODE_NAME_INDEX = 'spec.nodeName';

export function podNodeNameIndex(pod: KubeObject): string[] {
  const nodeName = pod.spec?.nodeName as string | undefined;
  return nodeName ? [nodeName] : [];
}
