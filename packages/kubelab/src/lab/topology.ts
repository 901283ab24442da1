import * as fs from 'node:fs';
import * as yaml from 'js-yaml';

/**
 * The lab topology: which nodes a lab has, their roles, labels, taints, capacity and host port
 * mappings, and the network ranges. People write it as kind's own cluster config
 * (kind.x-k8s.io/v1alpha4), so a kind config works as it is; kubelab adds a few fields of its own
 * (see the README's "Lab topology"):
 *   nodes[].capacity {cpu, memory, pods, ephemeral-storage}  what the node's kubelet reports
 *   networking.nodeSubnet                                    where node IPs come from
 *   networking.loadBalancerSubnet                            where LoadBalancer EXTERNAL-IPs come from
 * Decoding is strict, as kind's: an unknown field is an error that names it.
 */
export type NodeRole = 'control-plane' | 'worker';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** kind's PortMapping: the node's `containerPort` published on the host at listenAddress:hostPort. */
export interface PortMapping {
  containerPort: number;
  hostPort: number;
  listenAddress: string;
  protocol: 'TCP';
}

/** What the node's kubelet reports as capacity (and allocatable). */
export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
  'ephemeral-storage'?: string;
}

export interface TopologyNode {
  /** kind's node name: <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, ... */
  name: string;
  role: NodeRole;
  /** The labels the kubelet registers the Node with (kubelet adds hostname, os and arch itself). */
  labels: Record<string, string>;
  taints: Taint[];
  capacity: NodeCapacity;
  extraPortMappings: PortMapping[];
}

/** kind's networking.podSubnet / serviceSubnet and kubelab's nodeSubnet / loadBalancerSubnet, as written. */
export interface TopologyNetworking {
  podSubnet?: string;
  serviceSubnet?: string;
  nodeSubnet?: string;
  loadBalancerSubnet?: string;
}

export interface Topology {
  /** The cluster name (kind's `name`); node names start with it. */
  name: string;
  nodes: TopologyNode[];
  networking: TopologyNetworking;
  /** kind fields accepted (so kind configs load) that mean nothing in a lab, by path ("nodes[0].image"). */
  ignored: string[];
}

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';
export const DEFAULT_CLUSTER_NAME = 'kubelab';

/**
 * A node's capacity unless the topology says otherwise: cpu 2 and memory 8Gi as a GKE
 * e2-standard-2 node (kubeadm's minimum is 2 CPUs), pods 110 as the kubelet's --max-pods default.
 */
export const DEFAULT_CAPACITY: NodeCapacity = { cpu: '2', memory: '8Gi', pods: '110' };

/** kubeadm marks control-plane nodes with these labels (`kubeadm init` phase mark-control-plane)... */
export const CONTROL_PLANE_LABELS: Record<string, string> = { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' };
/** ...and this taint, which kind removes when the cluster is a single node. */
export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

/** The lab without --config: one control-plane node and two workers (scenario 01's lab). */
export function defaultTopology(): Topology {
  return buildTopology(DEFAULT_CLUSTER_NAME, [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }], {}, []);
}

/** Reads and parses a kind config file; errors name the file. */
export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`error reading file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return parseTopology(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

// The fields kind's v1alpha4 types have (pkg/apis/config/v1alpha4/types.go), what kubelab does with
// each ('use', or 'ignore': accepted so the config loads, without effect), and kubelab's own.
type Fields = Record<string, 'use' | 'ignore'>;
const CLUSTER_FIELDS: Fields = {
  kind: 'use',
  apiVersion: 'use',
  name: 'use',
  nodes: 'use',
  networking: 'use',
  featureGates: 'ignore',
  runtimeConfig: 'ignore',
  kubeadmConfigPatches: 'ignore',
  kubeadmConfigPatchesJSON6902: 'ignore',
  containerdConfigPatches: 'ignore',
  containerdConfigPatchesJSON6902: 'ignore',
};
const NODE_FIELDS: Fields = { role: 'use', image: 'ignore', labels: 'use', extraMounts: 'ignore', extraPortMappings: 'use', gpus: 'ignore', kubeadmConfigPatches: 'ignore', kubeadmConfigPatchesJSON6902: 'ignore', capacity: 'use' };
const NETWORKING_FIELDS: Fields = {
  ipFamily: 'use',
  apiServerPort: 'ignore',
  apiServerAddress: 'ignore',
  podSubnet: 'use',
  serviceSubnet: 'use',
  disableDefaultCNI: 'ignore',
  kubeProxyMode: 'ignore',
  dnsSearch: 'ignore',
  nodeSubnet: 'use',
  loadBalancerSubnet: 'use',
};
const PORT_MAPPING_FIELDS: Fields = { containerPort: 'use', hostPort: 'use', listenAddress: 'use', protocol: 'use' };
const CAPACITY_FIELDS: Fields = { cpu: 'use', memory: 'use', pods: 'use', 'ephemeral-storage': 'use' };

type Raw = Record<string, unknown>;

/** Parses kind's Cluster config (YAML or JSON) into a topology, strictly; throws a message that names the field. */
export function parseTopology(text: string): Topology {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (error) {
    throw new Error(`unable to decode config: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) doc = {};
  if (!isObject(doc)) throw new Error('unable to decode config: expected a kind Cluster object');
  if (doc['apiVersion'] !== KIND_API_VERSION) throw new Error(`unknown apiVersion: ${String(doc['apiVersion'] ?? '')} (kubelab reads kind's Cluster config, apiVersion ${KIND_API_VERSION})`);
  if (doc['kind'] !== 'Cluster') throw new Error(`unknown kind ${String(doc['kind'] ?? '')} for apiVersion: ${KIND_API_VERSION}`);
  const ignored: string[] = [];
  checkFields(doc, CLUSTER_FIELDS, '', 'v1alpha4.Cluster', ignored);

  const name = doc['name'] === undefined ? DEFAULT_CLUSTER_NAME : String(doc['name']);
  if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`'${name}' is not a valid cluster name, cluster names must match \`^[a-z0-9.-]+$\``);

  const networking: TopologyNetworking = {};
  if (doc['networking'] !== undefined) {
    const net = expectObject(doc['networking'], 'networking');
    checkFields(net, NETWORKING_FIELDS, 'networking', 'v1alpha4.Networking', ignored);
    if (net['ipFamily'] !== undefined && net['ipFamily'] !== 'ipv4') throw new Error(`invalid ipFamily: ${String(net['ipFamily'])} (kubelab runs IPv4 only: its addresses are in 127.0.0.0/8)`);
    for (const field of ['podSubnet', 'serviceSubnet', 'nodeSubnet', 'loadBalancerSubnet'] as const) {
      if (net[field] === undefined) continue;
      if (typeof net[field] !== 'string') throw new Error(`networking.${field}: expected a CIDR string, got ${JSON.stringify(net[field])}`);
      networking[field] = net[field];
    }
  }

  let rawNodes: Raw[] = [{}];
  if (doc['nodes'] !== undefined && doc['nodes'] !== null) {
    if (!Array.isArray(doc['nodes'])) throw new Error('nodes: expected a list of nodes');
    // kind's default when the list is empty: a single control-plane node.
    if (doc['nodes'].length > 0) rawNodes = doc['nodes'].map((node, i) => expectObject(node, `nodes[${i}]`));
  }
  const specs = rawNodes.map((node, i) => parseNode(node, i, ignored));
  if (!specs.some((s) => s.role === 'control-plane')) throw new Error('must have at least one control-plane node');
  return buildTopology(name, specs, networking, ignored);
}

interface NodeSpec {
  role: NodeRole;
  labels?: Record<string, string>;
  capacity?: Partial<NodeCapacity>;
  extraPortMappings?: PortMapping[];
}

function parseNode(node: Raw, i: number, ignored: string[]): NodeSpec {
  const at = `nodes[${i}]`;
  const fail = (message: string) => new Error(`invalid configuration for node ${i}: ${message}`);
  checkFields(node, NODE_FIELDS, at, 'v1alpha4.Node', ignored);
  const role = node['role'] ?? 'control-plane';
  if (role !== 'control-plane' && role !== 'worker') throw fail(`${JSON.stringify(role)} is not a valid node role (use control-plane or worker)`);
  const spec: NodeSpec = { role };
  if (node['labels'] !== undefined && node['labels'] !== null) {
    const labels = expectObject(node['labels'], `${at}.labels`);
    spec.labels = {};
    for (const [key, value] of Object.entries(labels)) {
      const text = value === null ? '' : typeof value === 'object' ? undefined : String(value);
      if (text === undefined) throw fail(`label ${key}: expected a string value`);
      const problem = labelProblem(key, text);
      if (problem) throw fail(`invalid label ${key}=${text}: ${problem}`);
      spec.labels[key] = text;
    }
  }
  if (node['capacity'] !== undefined) {
    const capacity = expectObject(node['capacity'], `${at}.capacity`);
    checkFields(capacity, CAPACITY_FIELDS, `${at}.capacity`, 'capacity (kubelab)', ignored);
    spec.capacity = {};
    for (const [resource, value] of Object.entries(capacity)) {
      const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
      const valid = resource === 'pods' ? /^[1-9]\d*$/.test(text) : /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(text) && Number.parseFloat(text) > 0;
      if (!valid) throw fail(`capacity.${resource}: ${JSON.stringify(value)} is not a ${resource === 'pods' ? 'positive whole number' : 'quantity (e.g. 2, 500m, 6Gi)'}`);
      spec.capacity[resource as keyof NodeCapacity] = text;
    }
  }
  if (node['extraPortMappings'] !== undefined && node['extraPortMappings'] !== null) {
    if (!Array.isArray(node['extraPortMappings'])) throw fail('extraPortMappings: expected a list');
    spec.extraPortMappings = node['extraPortMappings'].map((raw, j) => {
      const m = expectObject(raw, `${at}.extraPortMappings[${j}]`);
      checkFields(m, PORT_MAPPING_FIELDS, `${at}.extraPortMappings[${j}]`, 'v1alpha4.PortMapping', ignored);
      const port = (field: string) => {
        const value = m[field];
        if (value === undefined) throw fail(`extraPortMappings[${j}].${field} is required (kubelab does not pick random host ports)`);
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) throw fail(`invalid ${field}: invalid port number: ${String(value)}`);
        return value as number;
      };
      const protocol = m['protocol'] ?? 'TCP';
      if (protocol !== 'TCP') {
        if (protocol === 'UDP' || protocol === 'SCTP') throw fail(`extraPortMappings[${j}]: protocol ${protocol}: kubelab publishes TCP ports only`);
        throw fail(`extraPortMappings[${j}]: invalid protocol ${JSON.stringify(protocol)} (TCP, UDP or SCTP)`);
      }
      const listenAddress = m['listenAddress'] === undefined ? '127.0.0.1' : String(m['listenAddress']);
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(listenAddress) || listenAddress.split('.').some((o) => Number(o) > 255)) {
        throw fail(`extraPortMappings[${j}].listenAddress: ${JSON.stringify(listenAddress)} is not an IPv4 address`);
      }
      return { containerPort: port('containerPort'), hostPort: port('hostPort'), listenAddress, protocol: 'TCP' as const };
    });
  }
  return spec;
}

/** Names the nodes as kind does, and gives control-plane nodes kubeadm's labels and taint. */
function buildTopology(name: string, specs: NodeSpec[], networking: TopologyNetworking, ignored: string[]): Topology {
  const counts: Partial<Record<NodeRole, number>> = {};
  const single = specs.length === 1;
  const nodes = specs.map((spec): TopologyNode => {
    const count = (counts[spec.role] ?? 0) + 1;
    counts[spec.role] = count;
    const controlPlane = spec.role === 'control-plane';
    return {
      name: `${name}-${spec.role}${count === 1 ? '' : count}`,
      role: spec.role,
      labels: { ...(controlPlane ? CONTROL_PLANE_LABELS : {}), ...spec.labels },
      taints: controlPlane && !single ? [{ ...CONTROL_PLANE_TAINT }] : [],
      capacity: { ...DEFAULT_CAPACITY, ...spec.capacity },
      extraPortMappings: spec.extraPortMappings ?? [],
    };
  });
  // One host address and port can be published once (Docker would refuse the second container).
  const published = new Map<string, string>();
  for (const node of nodes) {
    for (const m of node.extraPortMappings) {
      const key = `${m.listenAddress}:${m.hostPort}`;
      const wildcard = [...published.keys()].find((k) => (m.listenAddress === '0.0.0.0' || k.startsWith('0.0.0.0:')) && k.endsWith(`:${m.hostPort}`));
      const clash = published.get(key) ?? (wildcard ? published.get(wildcard) : undefined);
      if (clash) throw new Error(`port mapping with same listen address, port and protocol already configured: ${key}/TCP (nodes ${clash} and ${node.name})`);
      published.set(key, node.name);
    }
  }
  return { name, nodes, networking, ignored };
}

function checkFields(object: Raw, fields: Fields, at: string, type: string, ignored: string[]): void {
  for (const key of Object.keys(object)) {
    const path = at ? `${at}.${key}` : key;
    const use = fields[key];
    if (use === undefined) {
      throw new Error(`unable to decode config: field ${path} not found in type ${type} (known fields: ${Object.keys(fields).join(', ')})`);
    }
    if (use === 'ignore') ignored.push(path);
  }
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown, at: string): Raw {
  if (!isObject(value)) throw new Error(`unable to decode config: ${at}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

/** Kubernetes' rules for a label key (optional DNS-subdomain prefix, name of at most 63) and value. */
function labelProblem(key: string, value: string): string | undefined {
  const nameRe = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))) return 'the key\'s prefix must be a DNS subdomain';
  if (name.length > 63 || !nameRe.test(name)) return "the key's name must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character";
  if (value !== '' && (value.length > 63 || !nameRe.test(value))) return "a value must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character";
  return undefined;
}
