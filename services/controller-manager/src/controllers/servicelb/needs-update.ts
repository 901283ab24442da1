import type { KubeObject } from '@kubelab/client';
import { semanticEqual } from '../../controller/semantic-equal';

/** The finalizer that keeps a LoadBalancer Service until its load balancer is gone (servicehelper.LoadBalancerCleanupFinalizer). */
export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

interface LBServiceSpec {
  type?: string;
  loadBalancerClass?: string;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  ports?: Array<{ name?: string; protocol?: string; port?: number; nodePort?: number; targetPort?: number | string }>;
  sessionAffinity?: string;
  sessionAffinityConfig?: unknown;
  externalIPs?: string[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
}

export function lbSpec(service: KubeObject): LBServiceSpec {
  return (service.spec ?? {}) as LBServiceSpec;
}

/** wantsLoadBalancer: type LoadBalancer, and no loadBalancerClass (another implementation's). */
export function wantsLoadBalancer(service: KubeObject): boolean {
  const spec = lbSpec(service);
  return spec.type === 'LoadBalancer' && spec.loadBalancerClass === undefined;
}

/** needsCleanup: it holds our finalizer and is being deleted or no longer a LoadBalancer. */
export function needsCleanup(service: KubeObject): boolean {
  if (!(service.metadata.finalizers ?? []).includes(LOAD_BALANCER_CLEANUP_FINALIZER)) return false;
  return Boolean(service.metadata.deletionTimestamp) || lbSpec(service).type !== 'LoadBalancer';
}

/** An event the service controller records about a change it noticed. */
export interface ChangeEvent {
  reason: string;
  message: string;
}

/**
 * needsUpdate: whether a Service update concerns its load balancer, and the event Kubernetes
 * records for the change ("Type: ClusterIP -> LoadBalancer", "LoadbalancerIP: ...").
 */
export function needsUpdate(old: KubeObject, cur: KubeObject): { update: boolean; event?: ChangeEvent } {
  const o = lbSpec(old);
  const n = lbSpec(cur);
  const wantedBefore = wantsLoadBalancer(old);
  const wantsNow = wantsLoadBalancer(cur);
  if (!wantedBefore && !wantsNow) return { update: false };
  if (wantedBefore !== wantsNow) return { update: true, event: { reason: 'Type', message: `${o.type ?? ''} -> ${n.type ?? ''}` } };
  if (wantsNow && !same(o.loadBalancerSourceRanges, n.loadBalancerSourceRanges)) {
    return { update: true, event: { reason: 'LoadBalancerSourceRanges', message: `${goSlice(o.loadBalancerSourceRanges)} -> ${goSlice(n.loadBalancerSourceRanges)}` } };
  }
  if (!portsEqualForLB(o, n) || o.sessionAffinity !== n.sessionAffinity || !same(o.sessionAffinityConfig, n.sessionAffinityConfig)) return { update: true };
  if ((o.loadBalancerIP ?? '') !== (n.loadBalancerIP ?? '')) return { update: true, event: { reason: 'LoadbalancerIP', message: `${o.loadBalancerIP ?? ''} -> ${n.loadBalancerIP ?? ''}` } };
  const oldIPs = o.externalIPs ?? [];
  const newIPs = n.externalIPs ?? [];
  if (oldIPs.length !== newIPs.length) return { update: true, event: { reason: 'ExternalIP', message: `Count: ${oldIPs.length} -> ${newIPs.length}` } };
  const added = newIPs.find((ip, i) => ip !== oldIPs[i]);
  if (added !== undefined) return { update: true, event: { reason: 'ExternalIP', message: `Added: ${added}` } };
  if (!same(old.metadata.annotations, cur.metadata.annotations)) return { update: true };
  if (old.metadata.uid !== cur.metadata.uid) return { update: true, event: { reason: 'UID', message: `${old.metadata.uid} -> ${cur.metadata.uid}` } };
  if ((o.externalTrafficPolicy ?? '') !== (n.externalTrafficPolicy ?? '')) {
    return { update: true, event: { reason: 'ExternalTrafficPolicy', message: `${o.externalTrafficPolicy ?? ''} -> ${n.externalTrafficPolicy ?? ''}` } };
  }
  if ((o.healthCheckNodePort ?? 0) !== (n.healthCheckNodePort ?? 0)) {
    return { update: true, event: { reason: 'HealthCheckNodePort', message: `${o.healthCheckNodePort ?? 0} -> ${n.healthCheckNodePort ?? 0}` } };
  }
  return { update: false };
}

/** portEqualForLB over the lists: same name, protocol, port, nodePort and targetPort, in order. */
function portsEqualForLB(a: LBServiceSpec, b: LBServiceSpec): boolean {
  const x = a.ports ?? [];
  const y = b.ports ?? [];
  return x.length === y.length && x.every((p, i) => {
    const q = y[i]!;
    return p.name === q.name && p.protocol === q.protocol && p.port === q.port && p.nodePort === q.nodePort && p.targetPort === q.targetPort;
  });
}

function same(a: unknown, b: unknown): boolean {
  return semanticEqual(a, b);
}

/** Go's %v of a []string: "[a b]". */
function goSlice(list: string[] | undefined): string {
  return `[${(list ?? []).join(' ')}]`;
}
