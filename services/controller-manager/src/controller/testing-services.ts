import type { GroupVersionResource, KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { TestEnv } from './testing';

/** Fixtures for the tests of the Service-side controllers (endpoints, endpointslice, service load balancer). */

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

export function serviceFixture(name: string, f: ServiceFixture = {}): KubeObject {
  const selector = f.selector === undefined ? { app: name } : f.selector;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: f.namespace ?? 'default',
      uid: `uid-svc-${name}`,
      creationTimestamp: f.created ?? '2026-01-01T00:00:00Z',
      ...(f.labels ? { labels: f.labels } : {}),
      ...(f.finalizers ? { finalizers: f.finalizers } : {}),
      ...(f.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
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

export interface EndpointPodFixture {
  namespace?: string;
  labels?: Record<string, string>;
  ip?: string;
  nodeName?: string;
  /** When the pod became Ready; absent: not ready (Ready=False). */
  readySince?: string;
  phase?: string;
  deleting?: boolean;
  containerPorts?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  hostname?: string;
  subdomain?: string;
  terminationGracePeriodSeconds?: number;
}

/** A pod as a kubelet reports it: on a node, with an IP, Ready or not. */
export function endpointPod(name: string, f: EndpointPodFixture = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: f.namespace ?? 'default',
      uid: `uid-${name}`,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: f.labels ?? { app: 'web' },
      ...(f.deleting ? { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      nodeName: f.nodeName ?? 'node-1',
      containers: [{ name: 'app', image: 'nginx', ...(f.containerPorts ? { ports: f.containerPorts } : {}) }],
      ...(f.hostname ? { hostname: f.hostname } : {}),
      ...(f.subdomain ? { subdomain: f.subdomain } : {}),
      ...(f.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: f.terminationGracePeriodSeconds } : {}),
    },
    status: {
      phase: f.phase ?? 'Running',
      ...(f.ip ? { podIP: f.ip, podIPs: [{ ip: f.ip }] } : {}),
      conditions: [{ type: 'Ready', status: f.readySince ? 'True' : 'False', lastTransitionTime: f.readySince ?? '2026-01-01T00:00:00Z' }],
    },
  };
}

export function nodeFixture(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: {}, status: {} };
}

/**
 * Resolves when the shared informers of these resources hold exactly what the fake server holds
 * (same keys, same resourceVersions): what a controller wrote has come back through its watch.
 */
export async function caughtUp(env: TestEnv, ...resources: GroupVersionResource[]): Promise<void> {
  await waitFor(
    () =>
      resources.every((r) => {
        const stored = env.objects(`${r.group}/${r.resource}`);
        const cached = env.ctx.informers.informer(r).indexer;
        return cached.size === stored.length && stored.every((o) => cached.get(o.metadata.namespace, o.metadata.name!)?.metadata.resourceVersion === o.metadata.resourceVersion);
      }),
    { timeoutMs: 5_000, intervalMs: 5, what: 'the informers to catch up' },
  );
}
