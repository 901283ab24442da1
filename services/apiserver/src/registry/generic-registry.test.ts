import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { memoryStore } from '../storage/testing/memory-store';
import { lookup } from './catalog';
import { GenericRegistry } from './generic-registry';
import type { KubeObject, ResourceType } from './types';


const type = (group: string, version: string, resource: string) => lookup(group, version, resource)!;
const deployments = type('apps', 'v1', 'deployments');
const replicasets = type('apps', 'v1', 'replicasets');
const statefulsets = type('apps', 'v1', 'statefulsets');
const daemonsets = type('apps', 'v1', 'daemonsets');
const configmaps = type('', 'v1', 'configmaps');
const pods = type('', 'v1', 'pods');
const services = type('', 'v1', 'services');
const endpointslices = type('discovery.k8s.io', 'v1', 'endpointslices');
const priorityclasses = type('scheduling.k8s.io', 'v1', 'priorityclasses');
const secrets = type('', 'v1', 'secrets');
const hpas = type('autoscaling', 'v2', 'horizontalpodautoscalers');

const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
/** A workload manifest as a person writes it: no defaults. */
const workload = (kind: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', ...metadata },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec },
});

/** What `kubectl replace -f` sends: the manifest, as a whole new object. */
const replace = (registry: GenericRegistry, t: ResourceType, object: KubeObject) => registry.update(t, t.namespaced ? 'default' : undefined, object.metadata.name!, () => structuredClone(object));

/** A PUT of the object as read back, with each object's keys in reverse order (a client that orders fields its own way). */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return `${error.status.code} ${error.status.message}`;
    throw error;
  }
  return 'accepted';
}

describe('metadata.generation, as each kind’s strategy keeps it', () => {
  it('a Deployment replaced with the same manifest, or PUT back with its fields in another order, keeps its generation', async () => {
    const registry = new GenericRegistry(memoryStore());
    const created = await registry.create(deployments, 'default', workload('Deployment', { replicas: 2 }));
    expect(created.metadata.generation).toBe(1);
    expect((await replace(registry, deployments, workload('Deployment', { replicas: 2 }))).metadata.generation).toBe(1);
    const read = await registry.get(deployments, 'default', 'web');
    expect((await registry.update(deployments, 'default', 'web', () => reversedKeys(read))).metadata.generation).toBe(1);
  });

  it('a Deployment counts changes of its spec and of its annotations, not of its labels or status', async () => {
    const registry = new GenericRegistry(memoryStore());
    await registry.create(deployments, 'default', workload('Deployment'));
    const edit = (f: (d: KubeObject) => void, subresource?: 'status') =>
      registry.update(deployments, 'default', 'web', (d) => {
        f(d);
        return d;
      }, { subresource });
    expect((await edit((d) => (d.metadata.labels = { tier: 'web' }))).metadata.generation).toBe(1);
    expect((await edit((d) => (d.status = { replicas: 1 }), 'status')).metadata.generation).toBe(1);
    expect((await edit((d) => (d.metadata.annotations = { owner: 'team-a' }))).metadata.generation).toBe(2);
    // Not the revision kubelab's Deployment controller writes through the object (Kubernetes' writes it through status).
    expect((await edit((d) => (d.metadata.annotations = { owner: 'team-a', 'deployment.kubernetes.io/revision': '1' }))).metadata.generation).toBe(2);
    expect((await edit((d) => (d.spec!.replicas = 3))).metadata.generation).toBe(3);
    expect((await edit((d) => (d.spec!.minReadySeconds = 5))).metadata.generation).toBe(4);
  });

  it('ReplicaSets, StatefulSets and DaemonSets count spec changes only', async () => {
    const registry = new GenericRegistry(memoryStore());
    for (const [t, kind] of [[replicasets, 'ReplicaSet'], [statefulsets, 'StatefulSet'], [daemonsets, 'DaemonSet']] as const) {
      expect((await registry.create(t, 'default', workload(kind))).metadata.generation).toBe(1);
      expect((await replace(registry, t, workload(kind))).metadata.generation).toBe(1);
      expect((await replace(registry, t, workload(kind, {}, { annotations: { a: 'b' } }))).metadata.generation).toBe(1);
      expect((await replace(registry, t, workload(kind, { minReadySeconds: 3 }))).metadata.generation).toBe(2);
    }
  });

  it('kinds without a generation in Kubernetes 1.32 (ConfigMaps, Pods, Services) get none', async () => {
    const registry = new GenericRegistry(memoryStore());
    expect((await registry.create(configmaps, 'default', { metadata: { name: 'cm' }, data: { a: '1' } })).metadata).not.toHaveProperty('generation');
    const updated = await registry.update(configmaps, 'default', 'cm', (cm) => ({ ...cm, data: { a: '2' } }));
    expect(updated.data).toEqual({ a: '2' });
    expect(updated.metadata).not.toHaveProperty('generation');
    expect((await registry.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })).metadata).not.toHaveProperty('generation');
    expect((await registry.create(services, 'default', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } })).metadata).not.toHaveProperty('generation');
  });

  it('empty finalizers, ownerReferences, labels and annotations are not stored (Go\'s omitempty)', async () => {
    const registry = new GenericRegistry(memoryStore());
    const created = await registry.create(configmaps, 'default', { metadata: { name: 'e', labels: {}, finalizers: ['x/y'] } });
    expect(created.metadata).not.toHaveProperty('labels');
    const updated = await registry.update(configmaps, 'default', 'e', (cm) => ({ ...cm, metadata: { ...cm.metadata, finalizers: [], ownerReferences: [], annotations: {} } }));
    for (const field of ['finalizers', 'ownerReferences', 'annotations']) expect(updated.metadata).not.toHaveProperty(field);
  });

  it('an EndpointSlice counts changes of anything but its metadata, and of its labels', async () => {
    const registry = new GenericRegistry(memoryStore());
    const slice = { metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] };
    expect((await registry.create(endpointslices, 'default', structuredClone(slice))).metadata.generation).toBe(1);
    expect((await replace(registry, endpointslices, { ...structuredClone(slice), metadata: { ...slice.metadata, annotations: { a: 'b' } } })).metadata.generation).toBe(1);
    expect((await replace(registry, endpointslices, { ...structuredClone(slice), endpoints: [{ addresses: ['10.0.0.2'] }] })).metadata.generation).toBe(2);
    expect((await replace(registry, endpointslices, { ...structuredClone(slice), endpoints: [{ addresses: ['10.0.0.2'] }], metadata: { name: 'web-abc', labels: { x: 'y' } } })).metadata.generation).toBe(3);
  });
});

describe('defaults on update (Kubernetes defaults every object it decodes)', () => {
  it('a workload replaced without replicas and other defaulted fields gets them again', async () => {
    const registry = new GenericRegistry(memoryStore());
    await registry.create(deployments, 'default', workload('Deployment', { replicas: 3, revisionHistoryLimit: 2, progressDeadlineSeconds: 30 }));
    const d = await replace(registry, deployments, workload('Deployment'));
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    for (const [t, kind] of [[replicasets, 'ReplicaSet'], [statefulsets, 'StatefulSet']] as const) {
      await registry.create(t, 'default', workload(kind, { replicas: 3 }));
      expect((await replace(registry, t, workload(kind))).spec).toMatchObject({ replicas: 1 });
    }
    expect((await replace(registry, statefulsets, workload('StatefulSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: {} } }))).spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    });
    await registry.create(daemonsets, 'default', workload('DaemonSet'));
    expect((await replace(registry, daemonsets, workload('DaemonSet', { updateStrategy: { type: 'RollingUpdate' } }))).spec).toMatchObject({
      revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    });
  });

  it('a Service, PriorityClass, Secret and HorizontalPodAutoscaler replaced without their defaults get them again', async () => {
    const registry = new GenericRegistry(memoryStore());
    await registry.create(services, 'default', { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    expect((await replace(registry, services, { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } })).spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    await registry.create(priorityclasses, undefined, { metadata: { name: 'high' }, value: 1000 });
    expect((await replace(registry, priorityclasses, { metadata: { name: 'high' }, value: 1000 })).preemptionPolicy).toBe('PreemptLowerPriority');
    await registry.create(secrets, 'default', { metadata: { name: 's' }, data: { a: 'YQ==' } });
    const secret = await replace(registry, secrets, { metadata: { name: 's' }, stringData: { b: 'b' } });
    expect([secret.type, secret.data, secret.stringData]).toEqual(['Opaque', { b: 'Yg==' }, undefined]);
    const hpa = { metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3 } };
    await registry.create(hpas, 'default', structuredClone(hpa));
    expect((await replace(registry, hpas, structuredClone(hpa))).spec).toMatchObject({ minReplicas: 1, metrics: [{ type: 'Resource' }] });
  });
});

describe('Service updates keep, allocate and release what the allocator gave', () => {
  const service = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }], ...spec } });

  it('a replace without clusterIP or nodePort keeps the allocated ones (patchAllocatedValues)', async () => {
    const registry = new GenericRegistry(memoryStore());
    const created = await registry.create(services, 'default', service({ type: 'NodePort' }));
    const { clusterIP, clusterIPs } = created.spec as { clusterIP: string; clusterIPs: string[] };
    const nodePort = (created.spec!.ports as Array<{ nodePort: number }>)[0]!.nodePort;
    expect(clusterIP).toMatch(/^127\.96\./);
    const replaced = await replace(registry, services, service({ type: 'NodePort' }));
    expect(replaced.spec).toMatchObject({ clusterIP, clusterIPs, ports: [{ nodePort }] });
  });

  it('a change of type to NodePort allocates node ports; back to ClusterIP releases them', async () => {
    const registry = new GenericRegistry(memoryStore());
    await registry.create(services, 'default', service({}));
    const nodePortService = await replace(registry, services, service({ type: 'NodePort' }));
    const nodePort = (nodePortService.spec!.ports as Array<{ nodePort?: number }>)[0]!.nodePort!;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    // What `kubectl edit` sends: the whole object with only the type changed.
    const back = await registry.update(services, 'default', 'web', (s) => ({ ...s, spec: { ...s.spec, type: 'ClusterIP' } }));
    expect((back.spec!.ports as Array<{ nodePort?: number }>)[0]).not.toHaveProperty('nodePort');
    expect(back.spec).not.toHaveProperty('externalTrafficPolicy');
    // The port is free again.
    const other = await registry.create(services, 'default', service({ type: 'NodePort', ports: [{ port: 80, nodePort }] }, 'other'));
    expect((other.spec!.ports as Array<{ nodePort?: number }>)[0]!.nodePort).toBe(nodePort);
    // And a Service's deletion frees its ports as well.
    await registry.store.delete(services, 'default', 'other');
    await registry.create(services, 'default', service({ type: 'NodePort', ports: [{ port: 80, nodePort }] }, 'third'));
  });

  it('refuses a change of clusterIP, a nodePort on a ClusterIP Service and a nodePort another Service has', async () => {
    const registry = new GenericRegistry(memoryStore());
    await registry.create(services, 'default', service({}));
    expect(await refusal(replace(registry, services, service({ clusterIP: '127.96.0.50' })))).toBe('422 Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"127.96.0.50"}: may not change once set');
    expect(await refusal(registry.update(services, 'default', 'web', (s) => ({ ...s, spec: { ...s.spec, clusterIP: '127.96.0.51' } })))).toBe('422 Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"127.96.0.51"}: may not change once set');
    expect(await refusal(replace(registry, services, service({ ports: [{ port: 80, nodePort: 30080 }] })))).toBe("422 Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    await registry.create(services, 'default', service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] }, 'taken'));
    expect(await refusal(replace(registry, services, service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] })))).toBe('422 Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30081: provided port is already allocated');
    // Its own port it may keep.
    await replace(registry, services, service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30082 }] }));
    await replace(registry, services, service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30082 }] }));
  });

  it('two Services created at the same time get different ClusterIPs', async () => {
    const registry = new GenericRegistry(memoryStore({ createDelayMs: 20 }));
    const [a, b] = await Promise.all([registry.create(services, 'default', service({}, 'a')), registry.create(services, 'default', service({}, 'b'))]);
    expect(a.spec!.clusterIP).not.toBe(b.spec!.clusterIP);
  });
});

describe('int32 fields of workloads', () => {
  it('refuses spec.replicas beyond int32 (what the scale subresource and patches write)', async () => {
    const registry = new GenericRegistry(memoryStore());
    expect(await refusal(registry.create(deployments, 'default', workload('Deployment', { replicas: 3_000_000_000 })))).toBe('422 Deployment.apps "web" is invalid: spec.replicas: Invalid value: 3000000000: must be between 0 and 2147483647, inclusive');
    await registry.create(deployments, 'default', workload('Deployment'));
    expect(await refusal(registry.update(deployments, 'default', 'web', (d) => ({ ...d, spec: { ...d.spec, replicas: 2 ** 31 } })))).toBe('422 Deployment.apps "web" is invalid: spec.replicas: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive');
    expect((await registry.update(deployments, 'default', 'web', (d) => ({ ...d, spec: { ...d.spec, replicas: 2 ** 31 - 1 } }))).spec!.replicas).toBe(2147483647);
  });
});
