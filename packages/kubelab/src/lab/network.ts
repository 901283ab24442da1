import { cidrContains, cidrsOverlap, formatIPv4, LOOPBACK, nthAddress, parseCidr, parseIPv4, subnet } from './ipv4';
import type { Topology, TopologyNetworking } from './topology';

/**
 * The lab's network plan (docs/networking.md): every node, pod, Service and load balancer has its
 * own address in 127.0.0.0/8, which is all local on Linux, so processes bind to their own address
 * without privileges. The defaults mirror kind's: nodes as its Docker network 172.18.0.0/16
 * (127.18.0.2, .3, ...), pods as its 10.244.0.0/16 (node k gets the k-th /24), Services as its
 * 10.96.0.0/16 (kubernetes .1, kube-dns .10, as kubeadm), load balancers from 127.0.200.0/24.
 */
export interface NetworkPlan {
  nodeSubnet: string;
  podSubnet: string;
  serviceSubnet: string;
  loadBalancerSubnet: string;
  /** The `kubernetes` Service's ClusterIP: the first address of the service range. */
  kubernetesServiceIP: string;
  /** The kube-dns Service's ClusterIP, where kube-proxy answers DNS: the tenth address of the service range. */
  clusterDNS: string;
  clusterDomain: string;
  /** The controller-manager's --load-balancer-ip-pool: FIRST-LAST. */
  loadBalancerPool: string;
  /** Per node, in topology order: its InternalIP and podCIDR. */
  nodes: Array<{ name: string; ip: string; podCIDR: string }>;
}

export const DEFAULT_NETWORKING: Required<TopologyNetworking> = {
  nodeSubnet: '127.18.0.0/16',
  podSubnet: '127.244.0.0/16',
  serviceSubnet: '127.96.0.0/16',
  loadBalancerSubnet: '127.0.200.0/24',
};

/** Each node's pod CIDR is a /24 of the pod subnet, as kube-controller-manager's --node-cidr-mask-size 24. */
export const NODE_CIDR_MASK_SIZE = 24;

/**
 * The ranges of a lab packed into one /16 (`kubelab up --subnet 127.X.0.0/16`), so that labs run
 * side by side: nodes 127.X.0.0/24, load balancers 127.X.1.0/24, Services 127.X.96.0/20, pods
 * 127.X.128.0/17 (a /24 per node, up to 128 nodes).
 */
export function labSubnetNetworking(cidr: string): Required<TopologyNetworking> {
  const lab = parseCidr(cidr, '--subnet');
  if (lab.prefix !== 16) throw new Error(`invalid --subnet "${cidr}": expected a /16 inside 127.0.0.0/8, such as 127.150.0.0/16`);
  if (!cidrContains(LOOPBACK, lab.base)) throw new Error(`invalid --subnet "${cidr}": it must be inside 127.0.0.0/8 (the loopback network, local without set-up)`);
  const at = (third: number, prefix: number) => `${formatIPv4(lab.base + third * 256)}/${prefix}`;
  return { nodeSubnet: at(0, 24), loadBalancerSubnet: at(1, 24), serviceSubnet: at(96, 20), podSubnet: at(128, 17) };
}

/**
 * Works out every address of the lab from its topology; `override` (from `--subnet`) wins over the
 * config's networking fields, as a flag wins over a file. Throws a clear message for ranges that
 * cannot work.
 */
export function planNetwork(topology: Topology, override: TopologyNetworking = {}): NetworkPlan {
  const wanted = { ...DEFAULT_NETWORKING, ...definedOnly(topology.networking), ...definedOnly(override) };
  const ranges = {
    nodeSubnet: parseCidr(wanted.nodeSubnet, 'networking.nodeSubnet'),
    podSubnet: parseCidr(wanted.podSubnet, 'networking.podSubnet'),
    serviceSubnet: parseCidr(wanted.serviceSubnet, 'networking.serviceSubnet'),
    loadBalancerSubnet: parseCidr(wanted.loadBalancerSubnet, 'networking.loadBalancerSubnet'),
  };
  const host = parseIPv4('127.0.0.1')!;
  for (const [field, cidr] of Object.entries(ranges)) {
    if (!cidrContains(LOOPBACK, cidr.base) || cidr.prefix < 8) throw new Error(`networking.${field} ${cidr.text} must be inside 127.0.0.0/8 (the loopback network: local on Linux, no set-up)`);
    if (cidrContains(cidr, host)) throw new Error(`networking.${field} ${cidr.text} contains 127.0.0.1, where the control plane and published host ports listen: use another range`);
  }
  const entries = Object.entries(ranges);
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, ca] = entries[i]!;
      const [b, cb] = entries[j]!;
      if (cidrsOverlap(ca, cb)) throw new Error(`networking.${a} ${ca.text} overlaps networking.${b} ${cb.text}: every range needs addresses of its own`);
    }
  }
  const { nodeSubnet, podSubnet, serviceSubnet, loadBalancerSubnet } = ranges;
  const count = topology.nodes.length;
  // .0 is the network, .1 the gateway (as on kind's Docker network): nodes start at .2.
  if (count + 3 > nodeSubnet.size) throw new Error(`networking.nodeSubnet ${nodeSubnet.text} is too small for ${count} nodes (nodes get the third address onwards)`);
  if (podSubnet.prefix > NODE_CIDR_MASK_SIZE || count > 2 ** (NODE_CIDR_MASK_SIZE - podSubnet.prefix)) {
    throw new Error(`networking.podSubnet ${podSubnet.text} is too small for ${count} nodes: each node gets a /${NODE_CIDR_MASK_SIZE}`);
  }
  if (serviceSubnet.prefix < 12 || serviceSubnet.prefix > 28) throw new Error(`networking.serviceSubnet ${serviceSubnet.text}: the prefix must be from /12 to /28 (it needs a first and a tenth address)`);
  if (loadBalancerSubnet.prefix > 30) throw new Error(`networking.loadBalancerSubnet ${loadBalancerSubnet.text} is too small: use /30 or larger`);
  return {
    nodeSubnet: nodeSubnet.text,
    podSubnet: podSubnet.text,
    serviceSubnet: serviceSubnet.text,
    loadBalancerSubnet: loadBalancerSubnet.text,
    kubernetesServiceIP: nthAddress(serviceSubnet, 1),
    clusterDNS: nthAddress(serviceSubnet, 10),
    clusterDomain: 'cluster.local',
    loadBalancerPool: `${nthAddress(loadBalancerSubnet, 1)}-${nthAddress(loadBalancerSubnet, loadBalancerSubnet.size - 2)}`,
    nodes: topology.nodes.map((node, k) => ({ name: node.name, ip: nthAddress(nodeSubnet, 2 + k), podCIDR: subnet(podSubnet, NODE_CIDR_MASK_SIZE, k).text })),
  };
}

function definedOnly(networking: TopologyNetworking): TopologyNetworking {
  return Object.fromEntries(Object.entries(networking).filter(([, v]) => v !== undefined));
}
