import { FieldError, FieldPath, invalid, OMIT_VALUE } from '@kubelab/apimachinery';
import { Errors, type FieldErrorList } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { services } from './resources/services';
import type { KubeObject } from './types';

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: Array<{ nodePort?: number }>;
}

/** The lab's node port range, Kubernetes' default. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

/**
 * The lab's default --service-cluster-ip-range: kind's 10.96.0.0/16 moved into 127.0.0.0/8, so
 * every ClusterIP is a loopback address a kube-proxy can listen on without privileges.
 */
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '127.96.0.0/16';

/**
 * An IPv4 service CIDR (kube-apiserver's --service-cluster-ip-range). As kubeadm has it, its
 * first address is the `kubernetes` Service's and its tenth is kept for the cluster DNS.
 */
export class ServiceIPRange {
  readonly cidr: string;
  private readonly base: number;
  private readonly size: number;

  constructor(cidr: string) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : -1;
    if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid service cluster IP range "${cidr}": expected an IPv4 CIDR such as ${DEFAULT_SERVICE_CLUSTER_IP_RANGE}`);
    if (prefix < 12 || prefix > 28) throw new Error(`invalid service cluster IP range "${cidr}": the prefix must be from /12 to /28 (the range needs at least its first and tenth addresses, and at most 2^20 Services)`);
    this.size = 2 ** (32 - prefix);
    const address = octets.reduce((n, o) => n * 256 + o, 0);
    this.base = address - (address % this.size);
    this.cidr = `${formatIPv4(this.base)}/${prefix}`;
  }

  /** The n-th address of the range (1: the first after the network address). */
  nth(n: number): string {
    return formatIPv4(this.base + n);
  }

  /** The `kubernetes` Service's ClusterIP. */
  get kubernetes(): string {
    return this.nth(1);
  }

  /** The cluster DNS (kube-dns) Service's ClusterIP. */
  get dns(): string {
    return this.nth(10);
  }

  /** Whether `ip` is an address Services may have: inside the range, neither its network nor its broadcast address. */
  contains(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && n > this.base && n < this.base + this.size - 1;
  }

  /** Every address Services may get, in order (the first and the tenth are spoken for). */
  *addresses(): Generator<string> {
    for (let n = 1; n < this.size - 1; n++) yield this.nth(n);
  }
}

function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.some((o) => o > 255) ? undefined : octets.reduce((n, o) => n * 256 + o, 0);
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * Allocates ClusterIPs (from --service-cluster-ip-range) and NodePorts (30000-32767) for Services
 * being created or updated, and refuses ones already taken or out of range with Kubernetes'
 * messages. What is taken is what the stored Services have, so a deleted Service, or one whose
 * update dropped its node ports, has released them. One apiserver allocates: an allocation and
 * the write that stores it run in one turn (`exclusive`), so two Services never get the same
 * address.
 */
export class ServiceAllocator {
  private turn: Promise<unknown> = Promise.resolve();
  private readonly range: ServiceIPRange;

  constructor(
    private readonly store: ObjectStore,
    serviceClusterIPRange: string = DEFAULT_SERVICE_CLUSTER_IP_RANGE,
  ) {
    this.range = new ServiceIPRange(serviceClusterIPRange);
  }

  /** Runs `work` (an allocation, then the write that stores it) once no other is running. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turn.then(work);
    this.turn = next.catch(() => undefined);
    return next;
  }

  /**
   * Fills in the ClusterIP and node ports `service` needs and does not have, and checks the ones
   * it asks for. On update, `old` is the stored Service: what it already has is its own. Call it
   * within `exclusive`, with the write that stores the result.
   */
  async allocate(service: KubeObject, old?: KubeObject): Promise<void> {
    const spec = service.spec as ServiceSpec;
    const before = old?.spec as ServiceSpec | undefined;
    const { items } = await this.store.list(services, undefined);
    const self = (s: KubeObject) => old !== undefined && s.metadata.namespace === service.metadata.namespace && s.metadata.name === service.metadata.name;
    const others = items.filter((s) => !self(s));
    const usedIPs = new Set(others.map((s) => (s.spec as ServiceSpec).clusterIP));
    const usedPorts = new Set(others.flatMap((s) => ((s.spec as ServiceSpec).ports ?? []).map((p) => p.nodePort)));
    const errors: FieldErrorList = [];
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      if (!spec.clusterIP) {
        spec.clusterIP = this.freeIP(usedIPs);
        spec.clusterIPs = [spec.clusterIP];
      } else if (before?.type === 'ExternalName' || spec.clusterIP !== before?.clusterIP) {
        // A new address (validation has refused a change of one the Service had).
        const fail = (why: string) => errors.push(new FieldError('FieldValueInvalid', 'spec.clusterIPs', OMIT_VALUE, `[]string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: ${why}`));
        if (!this.range.contains(spec.clusterIP)) fail(`the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${this.range.cidr}`);
        else if (usedIPs.has(spec.clusterIP)) fail('provided IP is already allocated');
        spec.clusterIPs = [spec.clusterIP];
      }
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      const own = new Set(before?.type === 'NodePort' || before?.type === 'LoadBalancer' ? (before.ports ?? []).map((p) => p.nodePort) : []);
      (spec.ports ?? []).forEach((port, i) => {
        if (port.nodePort) {
          if (own.has(port.nodePort)) {
            // The Service's own port, kept.
          } else if (port.nodePort < NODE_PORT_RANGE.min || port.nodePort > NODE_PORT_RANGE.max) {
            errors.push(invalid(FieldPath.of('spec', 'ports').index(i).child('nodePort'), port.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`));
          } else if (usedPorts.has(port.nodePort)) {
            errors.push(invalid(FieldPath.of('spec', 'ports').index(i).child('nodePort'), port.nodePort, 'provided port is already allocated'));
          }
        } else {
          port.nodePort = freePort(usedPorts);
        }
        usedPorts.add(port.nodePort);
      });
    }
    if (errors.length) throw Errors.invalid(services, service.metadata.name ?? '', errors);
  }

  private freeIP(used: Set<string | undefined>): string {
    // The first address is the kubernetes Service's; the tenth is kept for cluster DNS, as kubeadm does.
    const reserved = new Set([this.range.kubernetes, this.range.dns]);
    for (const ip of this.range.addresses()) if (!reserved.has(ip) && !used.has(ip)) return ip;
    throw Errors.internal(new Error('range of valid IPs is full'));
  }
}


function freePort(used: Set<number | undefined>): number {
  const span = NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = NODE_PORT_RANGE.min + ((start + i) % span);
    if (!used.has(port)) return port;
  }
  throw Errors.internal(new Error('range of valid node ports is full'));
}
