import { FieldError, FieldPath, invalid, OMIT_VALUE } from '@kubelab/apimachinery';
import { Errors, type FieldErrorList } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { services } from './resources/services';
import type { KubeObject } from './types';

/** The lab's node port range, Kubernetes' default (the service CIDR, 10.96.0.0/12, is in freeIP). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

/**
 * Allocates ClusterIPs (10.96.0.0/12) and NodePorts (30000-32767) for new Services, and refuses
 * ones already taken with Kubernetes' messages. One apiserver allocates; a promise chain makes
 * concurrent creates take turns, so two Services never get the same address.
 */
export class ServiceAllocator {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: ObjectStore) {}

  allocate(service: KubeObject): Promise<void> {
    const next = this.turn.then(() => this.allocateNow(service));
    this.turn = next.catch(() => undefined);
    return next;
  }

  private async allocateNow(service: KubeObject): Promise<void> {
    const spec = service.spec as { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: Array<{ nodePort?: number }> };
    const { items } = await this.store.list(services, undefined);
    const usedIPs = new Set(items.map((s) => (s.spec as { clusterIP?: string }).clusterIP));
    const usedPorts = new Set(items.flatMap((s) => ((s.spec as { ports?: Array<{ nodePort?: number }> }).ports ?? []).map((p) => p.nodePort)));
    const errors: FieldErrorList = [];
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      if (spec.clusterIP) {
        if (usedIPs.has(spec.clusterIP)) errors.push(new FieldError('FieldValueInvalid', 'spec.clusterIPs', OMIT_VALUE, `[]string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`));
      } else {
        spec.clusterIP = freeIP(usedIPs);
      }
      spec.clusterIPs = [spec.clusterIP];
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      (spec.ports ?? []).forEach((port, i) => {
        if (port.nodePort) {
          if (port.nodePort < NODE_PORT_RANGE.min || port.nodePort > NODE_PORT_RANGE.max) {
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
}

function freeIP(used: Set<string | undefined>): string {
  // 10.96.0.1 is the kubernetes Service; 10.96.0.10 is kept for cluster DNS, as kubeadm does.
  for (let n = 1; n < 1 << 20; n++) {
    if (n === 10) continue;
    const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
    if ((n & 0xff) !== 0 && !used.has(ip)) return ip;
  }
  throw Errors.internal(new Error('range of valid IPs is full'));
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
