import type { KubeObject } from '@kubelab/client';
import type { KubeletConfig } from '../config';
import { goArch, goOS } from '@kubelab/apimachinery';

/** Labels the kubelet always sets on its Node and keeps right on re-registration (kubelet's updateDefaultLabels). */
export const DEFAULT_LABEL_KEYS = ['kubernetes.io/hostname', 'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch'] as const;

type InitialNodeConfig = Pick<KubeletConfig, 'nodeName' | 'nodeLabels' | 'podCIDR' | 'registerWithTaints'>;

/**
 * The Node a kubelet registers (kubelet's initialNode): its name; the default labels (hostname,
 * os, arch, and their beta twins) plus --node-labels (roles come as
 * `node-role.kubernetes.io/<role>=`); spec.podCIDR / podCIDRs from --pod-cidr (kubelab has no
 * node IPAM controller: each node's range comes from the lab's topology); spec.taints from
 * --register-with-taints. Its status is posted right after by the NodeStatusManager.
 */
export function initialNode(config: InitialNodeConfig): KubeObject {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': goArch(),
    'beta.kubernetes.io/os': goOS(),
    'kubernetes.io/arch': goArch(),
    'kubernetes.io/hostname': config.nodeName,
    'kubernetes.io/os': goOS(),
    ...config.nodeLabels,
  };
  const spec: Record<string, unknown> = {};
  if (config.podCIDR) {
    spec.podCIDR = config.podCIDR;
    spec.podCIDRs = [config.podCIDR];
  }
  if (config.registerWithTaints.length) spec.taints = config.registerWithTaints.map((t) => ({ ...t }));
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: config.nodeName, labels }, spec };
}

/**
 * Brings an existing Node (this kubelet ran before, or someone created it) in line with the
 * initial one, as the kubelet does when registration answers AlreadyExists: the default labels
 * are set to this machine's values (other labels, --node-labels included, and taints are left as
 * the cluster has them: they may have been changed on purpose); spec.podCIDR is filled in when
 * empty (once set, the apiserver's node validation keeps it). Returns whether it changed it.
 */
export function reconcileExistingNode(existing: KubeObject, initial: KubeObject): boolean {
  let changed = false;
  const labels = { ...(existing.metadata.labels ?? {}) };
  for (const key of DEFAULT_LABEL_KEYS) {
    const want = initial.metadata.labels?.[key];
    if (want !== undefined && labels[key] !== want) {
      labels[key] = want;
      changed = true;
    } else if (want === undefined && key in labels) {
      delete labels[key];
      changed = true;
    }
  }
  if (changed) existing.metadata.labels = labels;
  const spec = (existing.spec ??= {}) as { podCIDR?: string; podCIDRs?: string[] };
  const podCIDR = (initial.spec as { podCIDR?: string } | undefined)?.podCIDR;
  if (podCIDR && !spec.podCIDR) {
    spec.podCIDR = podCIDR;
    spec.podCIDRs = [podCIDR];
    changed = true;
  }
  return changed;
}
