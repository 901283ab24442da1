import { describe, expect, it } from 'vitest';
import { labSubnetNetworking, planNetwork } from './network';
import { defaultTopology, parseTopology } from './topology';

const KIND = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n';
const withNetworking = (networking: string) => parseTopology(`${KIND}networking: {${networking}}\n`);

describe('the network plan', () => {
  it("gives the default lab kind's layout moved into 127.0.0.0/8", () => {
    expect(planNetwork(defaultTopology())).toEqual({
      nodeSubnet: '127.18.0.0/16',
      podSubnet: '127.244.0.0/16',
      serviceSubnet: '127.96.0.0/16',
      loadBalancerSubnet: '127.0.200.0/24',
      kubernetesServiceIP: '127.96.0.1',
      clusterDNS: '127.96.0.10',
      clusterDomain: 'cluster.local',
      loadBalancerPool: '127.0.200.1-127.0.200.254',
      nodes: [
        { name: 'kubelab-control-plane', ip: '127.18.0.2', podCIDR: '127.244.0.0/24' },
        { name: 'kubelab-worker', ip: '127.18.0.3', podCIDR: '127.244.1.0/24' },
        { name: 'kubelab-worker2', ip: '127.18.0.4', podCIDR: '127.244.2.0/24' },
      ],
    });
  });

  it("takes kind's podSubnet / serviceSubnet and kubelab's nodeSubnet / loadBalancerSubnet from the config", () => {
    const plan = planNetwork(parseTopology(`${KIND}networking:\n  podSubnet: 127.150.128.0/17\n  serviceSubnet: 127.150.96.0/20\n  nodeSubnet: 127.150.0.0/24\n  loadBalancerSubnet: 127.150.1.0/24\nnodes: [{}, {role: worker}]\n`));
    expect(plan.nodes).toEqual([
      { name: 'kubelab-control-plane', ip: '127.150.0.2', podCIDR: '127.150.128.0/24' },
      { name: 'kubelab-worker', ip: '127.150.0.3', podCIDR: '127.150.129.0/24' },
    ]);
    expect([plan.kubernetesServiceIP, plan.clusterDNS, plan.loadBalancerPool]).toEqual(['127.150.96.1', '127.150.96.10', '127.150.1.1-127.150.1.254']);
  });

  it('--subnet packs a whole lab into one /16 (labs side by side), and wins over the config', () => {
    expect(labSubnetNetworking('127.201.0.0/16')).toEqual({ nodeSubnet: '127.201.0.0/24', loadBalancerSubnet: '127.201.1.0/24', serviceSubnet: '127.201.96.0/20', podSubnet: '127.201.128.0/17' });
    const plan = planNetwork(withNetworking('podSubnet: 127.150.0.0/16'), labSubnetNetworking('127.201.0.0/16'));
    expect(plan.nodes[0]).toEqual({ name: 'kubelab-control-plane', ip: '127.201.0.2', podCIDR: '127.201.128.0/24' });
    expect(plan.clusterDNS).toBe('127.201.96.10');
    expect(() => labSubnetNetworking('127.201.0.0/24')).toThrow('invalid --subnet "127.201.0.0/24": expected a /16');
    expect(() => labSubnetNetworking('10.201.0.0/16')).toThrow('it must be inside 127.0.0.0/8');
  });

  it('refuses ranges outside 127.0.0.0/8, overlapping ones, ones over 127.0.0.1 and ones too small', () => {
    expect(() => planNetwork(withNetworking('podSubnet: 10.244.0.0/16'))).toThrow('networking.podSubnet 10.244.0.0/16 must be inside 127.0.0.0/8');
    expect(() => planNetwork(withNetworking('serviceSubnet: 127.244.0.0/20'))).toThrow('networking.podSubnet 127.244.0.0/16 overlaps networking.serviceSubnet 127.244.0.0/20');
    expect(() => planNetwork(withNetworking('nodeSubnet: 127.0.0.0/16'))).toThrow('networking.nodeSubnet 127.0.0.0/16 contains 127.0.0.1');
    expect(() => planNetwork(withNetworking('podSubnet: 127.150.0.0/25'))).toThrow('networking.podSubnet 127.150.0.0/25 is too small for 1 nodes: each node gets a /24');
    expect(() => planNetwork(parseTopology(`${KIND}networking: {podSubnet: 127.150.0.0/23}\nnodes: [{}, {role: worker}, {role: worker}]\n`))).toThrow('is too small for 3 nodes');
    expect(() => planNetwork(withNetworking('nodeSubnet: 127.150.0.0/31'))).toThrow('networking.nodeSubnet 127.150.0.0/31 is too small for 1 nodes');
    expect(() => planNetwork(withNetworking('serviceSubnet: 127.150.0.0/29'))).toThrow('the prefix must be from /12 to /28');
    expect(() => planNetwork(withNetworking('serviceSubnet: 127.96.0.0'))).toThrow('invalid networking.serviceSubnet "127.96.0.0": expected an IPv4 CIDR');
  });
});
