import { age, ageColumn, column, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

interface NodeStatus {
  conditions?: Array<{ type: string; status: string }>;
  addresses?: Array<{ type: string; address: string }>;
  nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
}

function nodeStatus(node: KubeObject): string {
  const ready = ((node.status ?? {}) as NodeStatus).conditions?.find((c) => c.type === 'Ready');
  const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

function roles(node: KubeObject): string {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) found.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role' && value) found.add(value);
  }
  return found.size ? [...found].sort().join(',') : '<none>';
}

export const nodes: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Node',
  resource: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  namespaced: false,
  storagePath: 'minions',
  subresources: ['status', 'proxy'],
  strategy: {
    prepareForUpdate(node, old) {
      node.status = old.status;
    },
    selectableFields: (node) => ({ 'spec.unschedulable': String(Boolean(node.spec?.unschedulable)) }),
  },
  printer: {
    columns: [
      nameColumn,
      column('Status', 'string', 'The status of the node'),
      column('Roles', 'string', 'The roles of the node'),
      ageColumn,
      column('Version', 'string', 'Kubelet Version reported by the node.'),
      column('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
      column('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
      column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
      column('Kernel-Version', 'string', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).', 1),
      column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
    ],
    row(node, now) {
      const status = (node.status ?? {}) as NodeStatus;
      const address = (type: string) => status.addresses?.find((a) => a.type === type)?.address ?? '<none>';
      const info = status.nodeInfo ?? {};
      return [node.metadata.name, nodeStatus(node), roles(node), age(node.metadata.creationTimestamp, now), info.kubeletVersion ?? '', address('InternalIP'), address('ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
    },
  },
};
