import type { KubeObject } from '@kubelab/client';
import { newControllerRef } from './controller-ref';

/**
 * Fixture builders for the core objects controller tests start from: pods, nodes, Services and
 * namespaces, as the apiserver stores them (uid `uid-<name>`, created 2026-01-01T00:00:00Z,
 * namespace `default`). Each takes the fields a test cares about and fills in the rest.
 * The pod and node builders return the caller's typed view of the object (`podFixture<Pod>()`).
 */

/** When every fixture was made (and the test clock starts). */
export const CREATED = '2026-01-01T00:00:00Z';

export interface PodFixture {
  namespace?: string;
  uid?: string;
  /** Default `{ app: 'web' }`. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The controller, as its controllerRef names it. */
  owner?: KubeObject;
  /** RFC 3339 ('' for none). */
  created?: string;
  /** Being deleted gracefully: a deletionTimestamp 30 s on, as the apiserver sets it. */
  deleting?: boolean;
  nodeName?: string;
  /** Default Pending. */
  phase?: string;
  reason?: string;
  /** When the pod became Ready (its Ready condition True since then). */
  readySince?: string;
  /** A kubelet reports it not ready (a Ready condition False); absent with neither: no Ready condition. */
  notReady?: boolean;
  ip?: string;
  restarts?: number;
  containerPorts?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  hostname?: string;
  subdomain?: string;
  terminationGracePeriodSeconds?: number;
  tolerations?: object[];
  affinity?: object;
}

/** A pod; with no options, one of `app: web`, Pending, on no node. */
export function podFixture<T extends KubeObject = KubeObject>(name: string, f: PodFixture = {}): T {
  const ready = f.readySince ? { type: 'Ready', status: 'True', lastTransitionTime: f.readySince } : f.notReady ? { type: 'Ready', status: 'False', lastTransitionTime: CREATED } : undefined;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: f.namespace ?? 'default',
      uid: f.uid ?? `uid-${name}`,
      creationTimestamp: f.created ?? CREATED,
      labels: f.labels ?? { app: 'web' },
      ...(f.annotations ? { annotations: f.annotations } : {}),
      ...(f.deleting ? { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } : {}),
      ...(f.owner ? { ownerReferences: [newControllerRef(f.owner, f.owner.apiVersion!, f.owner.kind!)] } : {}),
    },
    spec: {
      containers: [{ name: 'web', image: 'nginx', ...(f.containerPorts ? { ports: f.containerPorts } : {}) }],
      ...(f.nodeName ? { nodeName: f.nodeName } : {}),
      ...(f.hostname ? { hostname: f.hostname } : {}),
      ...(f.subdomain ? { subdomain: f.subdomain } : {}),
      ...(f.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: f.terminationGracePeriodSeconds } : {}),
      ...(f.tolerations ? { tolerations: f.tolerations } : {}),
      ...(f.affinity ? { affinity: f.affinity } : {}),
    },
    status: {
      phase: f.phase ?? 'Pending',
      ...(f.reason ? { reason: f.reason } : {}),
      ...(f.ip ? { podIP: f.ip, podIPs: [{ ip: f.ip }] } : {}),
      ...(ready ? { conditions: [ready] } : {}),
      ...(f.restarts ? { containerStatuses: [{ name: 'web', restartCount: f.restarts }] } : {}),
    },
  };
  return pod as T;
}

/** A pod as its kubelet reports it: on node-1, Running, with a Ready condition (False unless `readySince`). */
export function runningPod<T extends KubeObject = KubeObject>(name: string, f: PodFixture = {}): T {
  return podFixture<T>(name, { nodeName: 'node-1', phase: 'Running', notReady: !f.readySince, ...f });
}

export interface NodeFixture {
  labels?: Record<string, string>;
  /** core/v1 Taints. */
  taints?: object[];
  unschedulable?: boolean;
  /** The Ready condition's status (default True), when `conditions` are not given. */
  ready?: string;
  conditions?: Array<{ type: string; status: string }>;
  created?: string;
}

/** A node labelled with its hostname, Ready unless told otherwise. */
export function nodeFixture<T extends KubeObject = KubeObject>(name: string, f: NodeFixture = {}): T {
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...f.labels }, ...(f.created ? { creationTimestamp: f.created } : {}) },
    spec: { ...(f.taints?.length ? { taints: f.taints } : {}), ...(f.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: f.conditions ?? [{ type: 'Ready', status: f.ready ?? 'True' }] },
  };
  return node as T;
}

export interface ServiceFixture {
  namespace?: string;
  /** Absent: `{ app: <name> }`; null: no selector at all. */
  selector?: Record<string, string> | null;
  ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }>;
  type?: string;
  clusterIP?: string;
  labels?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  status?: Record<string, unknown>;
  finalizers?: string[];
  deleting?: boolean;
  created?: string;
}

/** A Service as the apiserver stores it (a ClusterIP, IPv4), port 80 to 8080 unless told otherwise. */
export function serviceFixture(name: string, f: ServiceFixture = {}): KubeObject {
  const selector = f.selector === undefined ? { app: name } : f.selector;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: f.namespace ?? 'default',
      uid: `uid-svc-${name}`,
      creationTimestamp: f.created ?? CREATED,
      ...(f.labels ? { labels: f.labels } : {}),
      ...(f.finalizers ? { finalizers: f.finalizers } : {}),
      ...(f.deleting ? { deletionTimestamp: CREATED } : {}),
    },
    spec: {
      type: f.type ?? 'ClusterIP',
      clusterIP: f.clusterIP ?? '10.96.0.10',
      ipFamilies: ['IPv4'],
      ...(selector ? { selector } : {}),
      ports: (f.ports ?? [{ port: 80, targetPort: 8080 }]).map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p })),
      ...(f.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ...(f.loadBalancerIP ? { loadBalancerIP: f.loadBalancerIP } : {}),
      ...(f.loadBalancerClass ? { loadBalancerClass: f.loadBalancerClass } : {}),
    },
    status: f.status ?? { loadBalancer: {} },
  };
}

/** A namespace with the `kubernetes` finalizer: Active, or Terminating since CREATED when `deleting`. */
export function namespaceFixture(name: string, f: { deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid: `uid-ns-${name}`, ...(f.deleting ? { deletionTimestamp: CREATED } : {}) },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: f.deleting ? 'Terminating' : 'Active' },
  };
}
