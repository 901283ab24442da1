import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTopology, loadTopology, parseTopology } from './topology';

/** The scenario manifests in ../shared beside the repository (as in CI), or the copies in test/fixtures. */
function manifest(name: string): string {
  const shared = path.resolve(__dirname, '../../../../../shared/scenarios/manifests', name);
  return fs.existsSync(shared) ? shared : path.resolve(__dirname, '../../../../test/fixtures', name);
}

const KIND = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n';
const CONTROL_PLANE_LABELS = { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' };
const TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const DEFAULT_CAPACITY = { cpu: '2', memory: '8Gi', pods: '110' };

describe('lab topology', () => {
  it('without a config: kubelab-control-plane (labelled and tainted as kubeadm does) and two workers without a role', () => {
    const topology = defaultTopology();
    expect(topology.name).toBe('kubelab');
    expect(topology.nodes).toEqual([
      { name: 'kubelab-control-plane', role: 'control-plane', labels: CONTROL_PLANE_LABELS, taints: [TAINT], capacity: DEFAULT_CAPACITY, extraPortMappings: [] },
      { name: 'kubelab-worker', role: 'worker', labels: {}, taints: [], capacity: DEFAULT_CAPACITY, extraPortMappings: [] },
      { name: 'kubelab-worker2', role: 'worker', labels: {}, taints: [], capacity: DEFAULT_CAPACITY, extraPortMappings: [] },
    ]);
    expect(topology.networking).toEqual({});
  });

  it("reads scenario 02's kind config: its name names the nodes, the worker publishes NodePort 30001 on host port 8000", () => {
    const topology = loadTopology(manifest('lab-hpa.yaml'));
    expect(topology.nodes.map((n) => [n.name, n.role])).toEqual([
      ['hpa-control-plane', 'control-plane'],
      ['hpa-worker', 'worker'],
    ]);
    expect(topology.nodes[0]!.taints).toEqual([TAINT]);
    expect(topology.nodes[1]!.extraPortMappings).toEqual([{ containerPort: 30001, hostPort: 8000, listenAddress: '127.0.0.1', protocol: 'TCP' }]);
    expect(topology.ignored).toEqual([]);
  });

  it("reads scenario 05's kind-multinode config: worker labels added to the node's, names as kind's", () => {
    const topology = loadTopology(manifest('lab-multinode.yaml'));
    expect(topology.nodes.map((n) => [n.name, n.labels])).toEqual([
      ['kubelab-control-plane', CONTROL_PLANE_LABELS],
      ['kubelab-worker', { zone: 'a' }],
      ['kubelab-worker2', { zone: 'b', disktype: 'ssd' }],
    ]);
  });

  it("takes kubelab's capacity extension (scenario 04's one node of cpu 2 and 6Gi), and a single node is not tainted, as kind leaves it", () => {
    const topology = parseTopology(`${KIND}nodes:\n  - role: control-plane\n    capacity:\n      cpu: 2\n      memory: 6Gi\n`);
    expect(topology.nodes).toEqual([
      { name: 'kubelab-control-plane', role: 'control-plane', labels: CONTROL_PLANE_LABELS, taints: [], capacity: { cpu: '2', memory: '6Gi', pods: '110' }, extraPortMappings: [] },
    ]);
  });

  it("follows kind's defaults: no nodes is one control-plane node, a node without a role is a control plane, more of a role are numbered", () => {
    expect(parseTopology(KIND).nodes.map((n) => n.name)).toEqual(['kubelab-control-plane']);
    const names = parseTopology(`${KIND}name: dev\nnodes: [{}, {role: worker}, {role: control-plane}, {role: worker}, {role: worker}]\n`).nodes.map((n) => n.name);
    expect(names).toEqual(['dev-control-plane', 'dev-worker', 'dev-control-plane2', 'dev-worker2', 'dev-worker3']);
  });

  it('accepts the kind fields that mean nothing in a lab, and lists them', () => {
    const topology = parseTopology(`${KIND}featureGates: {Foo: true}\nnetworking:\n  kubeProxyMode: ipvs\n  podSubnet: 127.150.128.0/17\nnodes:\n  - role: control-plane\n    image: kindest/node:v1.32.0\n`);
    expect(topology.ignored).toEqual(['featureGates', 'networking.kubeProxyMode', 'nodes[0].image']);
    expect(topology.networking).toEqual({ podSubnet: '127.150.128.0/17' });
  });

  it('refuses unknown fields by name, as kind decodes strictly', () => {
    expect(() => parseTopology(`${KIND}nodez: []\n`)).toThrow('unable to decode config: field nodez not found in type v1alpha4.Cluster');
    expect(() => parseTopology(`${KIND}nodes:\n  - role: worker\n  - role: control-plane\n    lables: {a: b}\n`)).toThrow('field nodes[1].lables not found in type v1alpha4.Node (known fields: role, image, labels,');
    expect(() => parseTopology(`${KIND}networking: {podCidr: 127.1.0.0/16}\n`)).toThrow('field networking.podCidr not found in type v1alpha4.Networking');
    expect(() => parseTopology(`${KIND}nodes: [{extraPortMappings: [{containerPort: 1, hostPort: 2, hostIP: 127.0.0.1}]}]\n`)).toThrow('field nodes[0].extraPortMappings[0].hostIP not found in type v1alpha4.PortMapping');
    expect(() => parseTopology(`${KIND}nodes: [{capacity: {gpu: 1}}]\n`)).toThrow('field nodes[0].capacity.gpu not found');
  });

  it('refuses bad roles, bad values and configs that are not kind v1alpha4 clusters', () => {
    expect(() => parseTopology(`${KIND}nodes: [{role: master}]\n`)).toThrow('invalid configuration for node 0: "master" is not a valid node role');
    expect(() => parseTopology(`${KIND}nodes: [{role: worker}]\n`)).toThrow('must have at least one control-plane node');
    expect(() => parseTopology('kind: Cluster\napiVersion: kind.sigs.k8s.io/v1alpha3\n')).toThrow('unknown apiVersion: kind.sigs.k8s.io/v1alpha3');
    expect(() => parseTopology('kind: Pod\napiVersion: kind.x-k8s.io/v1alpha4\n')).toThrow('unknown kind Pod');
    expect(() => parseTopology(`${KIND}name: My_Lab\n`)).toThrow("'My_Lab' is not a valid cluster name");
    expect(() => parseTopology(`${KIND}networking: {ipFamily: ipv6}\n`)).toThrow('invalid ipFamily: ipv6');
    expect(() => parseTopology(`${KIND}nodes: [{capacity: {memory: lots}}]\n`)).toThrow('invalid configuration for node 0: capacity.memory: "lots" is not a quantity');
    expect(() => parseTopology(`${KIND}nodes: [{labels: {'-bad': x}}]\n`)).toThrow('invalid configuration for node 0: invalid label -bad=x');
    expect(() => parseTopology(`${KIND}nodes: [{extraPortMappings: [{containerPort: 30001}]}]\n`)).toThrow('extraPortMappings[0].hostPort is required');
    expect(() => parseTopology(`${KIND}nodes: [{extraPortMappings: [{containerPort: 30001, hostPort: 70000}]}]\n`)).toThrow('invalid hostPort: invalid port number: 70000');
    expect(() => parseTopology(`${KIND}nodes: [{extraPortMappings: [{containerPort: 53, hostPort: 5353, protocol: UDP}]}]\n`)).toThrow('kubelab publishes TCP ports only');
    expect(() => parseTopology(`${KIND}nodes: [{}, {role: worker, extraPortMappings: [{containerPort: 30001, hostPort: 8000}]}, {role: worker, extraPortMappings: [{containerPort: 30002, hostPort: 8000}]}]\n`)).toThrow(
      'port mapping with same listen address, port and protocol already configured: 127.0.0.1:8000/TCP (nodes kubelab-worker and kubelab-worker2)',
    );
    expect(() => parseTopology(`${KIND}nodes: [\n`)).toThrow('unable to decode config:');
    expect(() => loadTopology('/nonexistent/kind.yaml')).toThrow('error reading file /nonexistent/kind.yaml: no such file');
  });
});
