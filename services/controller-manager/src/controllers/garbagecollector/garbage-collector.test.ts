import { ApiError, failureStatus, type OwnerReference } from '@kubelab/apimachinery';
import { Resources, type GroupVersionResource, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emulateDeletion, type DeleteCall } from '../../controller/testing-deletion';
import { startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { GarbageCollector } from './garbage-collector';
import { GARBAGE_COLLECTED_RESOURCES } from './resources';

const controllerrevisions: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'controllerrevisions' };

const owner = (kind: string, apiVersion: string, name: string, uid: string, blockOwnerDeletion = true): OwnerReference => ({ apiVersion, kind, name, uid, controller: true, blockOwnerDeletion });
const object = (apiVersion: string, kind: string, name: string, uid: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'default', uid, ...(owners.length ? { ownerReferences: owners } : {}), ...extra },
  spec: {},
});
const deployment = (extra: Partial<KubeObject['metadata']> = {}) => object('apps/v1', 'Deployment', 'web', 'd1', [], extra);
const replicaSet = object('apps/v1', 'ReplicaSet', 'web-5d4f', 'r1', [owner('Deployment', 'apps/v1', 'web', 'd1')]);
const pod = (name: string, uid: string, nodeName?: string) => ({ ...object('v1', 'Pod', name, uid, [owner('ReplicaSet', 'apps/v1', 'web-5d4f', 'r1')]), spec: nodeName ? { nodeName } : {} });

interface World {
  env: TestEnv;
  gc: GarbageCollector;
  deletes: DeleteCall[];
  /** Uids the graph asked to look at, in order. */
  queued: string[];
}

let world: World | undefined;
afterEach(async () => {
  await world?.env.close();
  world = undefined;
});

/** A GC over fixtures; the queue is recorded, not run: each test reconciles by hand, step by step. */
async function start(fixtures: Fixture[]): Promise<World> {
  const env = await testEnv();
  const deletes = emulateDeletion(env);
  const queued: string[] = [];
  const gc = await startController(
    env,
    async (ctx) => {
      const collector = new GarbageCollector(ctx);
      vi.spyOn(collector, 'enqueue').mockImplementation((key) => void queued.push(key as string));
      await collector.syncMonitors();
      return collector;
    },
    fixtures,
  );
  queued.length = 0;
  world = { env, gc, deletes, queued };
  return world;
}

const has = (env: TestEnv, resource: GroupVersionResource, name: string) => env.server.objects.get(`${resource.group}/${resource.resource}/default/${name}`);
/** Waits until the informers have told the graph about a change made in the apiserver. */
const graphSees = (gc: GarbageCollector, what: (gc: GarbageCollector) => boolean) => waitFor(() => what(gc), { intervalMs: 2, what: 'the graph to catch up' });
const describeDelete = (d: DeleteCall) => `${d.resource}/${d.name} ${d.options.propagationPolicy} uid=${d.options.preconditions?.uid}`;

describe('GarbageCollector: background deletion', () => {
  it('deleting a Deployment deletes its ReplicaSet, then the ReplicaSet its pods', async () => {
    const { env, gc, deletes, queued } = await start([
      [Resources.deployments, deployment()],
      [Resources.replicasets, replicaSet],
      [Resources.pods, pod('web-5d4f-a', 'p1', 'worker-1')],
      [Resources.pods, pod('web-5d4f-b', 'p2')],
    ]);

    // kubectl delete deployment web: the apiserver deletes it at once (Background).
    env.server.write(Resources.deployments, 'DELETED', has(env, Resources.deployments, 'web')!);
    await graphSees(gc, (g) => !g.graph.node('d1'));
    expect(queued).toEqual(['r1']);

    await gc.reconcile('r1');
    expect(deletes.map(describeDelete)).toEqual(['replicasets/web-5d4f Background uid=r1']);
    expect(has(env, Resources.replicasets, 'web-5d4f')).toBeUndefined();

    await graphSees(gc, (g) => !g.graph.node('r1'));
    expect(queued.slice(1).sort()).toEqual(['p1', 'p2']);
    await gc.reconcile('p1');
    await gc.reconcile('p2');
    expect(deletes.slice(1).map(describeDelete)).toEqual(['pods/web-5d4f-a Background uid=p1', 'pods/web-5d4f-b Background uid=p2']);
    // The bound pod terminates (its kubelet finishes it); the unscheduled one is gone.
    expect(has(env, Resources.pods, 'web-5d4f-a')?.metadata.deletionTimestamp).toBeDefined();
    expect(has(env, Resources.pods, 'web-5d4f-b')).toBeUndefined();
  });

  it('a dependent with another live owner only loses the reference to the dead one', async () => {
    const shared = object('v1', 'ConfigMap', 'settings', 'c1', [owner('Deployment', 'apps/v1', 'web', 'd1'), owner('Deployment', 'apps/v1', 'api', 'd2', false)]);
    const { env, gc, deletes } = await start([
      [Resources.deployments, deployment()],
      [Resources.deployments, object('apps/v1', 'Deployment', 'api', 'd2')],
      [Resources.configmaps, shared],
    ]);
    env.server.write(Resources.deployments, 'DELETED', has(env, Resources.deployments, 'web')!);
    await graphSees(gc, (g) => !g.graph.node('d1'));

    await gc.reconcile('c1');
    expect(deletes).toEqual([]);
    expect(has(env, Resources.configmaps, 'settings')!.metadata.ownerReferences).toEqual([owner('Deployment', 'apps/v1', 'api', 'd2', false)]);
  });

  it('an object whose owners are all alive stays', async () => {
    const { gc, deletes } = await start([
      [Resources.deployments, deployment()],
      [Resources.replicasets, replicaSet],
    ]);
    await gc.reconcile('r1');
    expect(deletes).toEqual([]);
  });
});

describe('GarbageCollector: owners are looked up by uid', () => {
  it('an owner the informers have not shown but the apiserver has is alive: nothing is deleted', async () => {
    const { env, gc, deletes, queued } = await start([]);
    // The ReplicaSet is in the apiserver, but no watch event has told the informers about it yet.
    env.server.objects.set('apps/replicasets/default/web-5d4f', { ...replicaSet, metadata: { ...replicaSet.metadata, ownerReferences: undefined, resourceVersion: '1' } });
    env.server.write(Resources.pods, 'ADDED', pod('web-5d4f-a', 'p1'));
    await graphSees(gc, (g) => Boolean(g.graph.node('p1')));
    expect(queued).toEqual(['r1']);

    await gc.reconcile('p1');
    expect(deletes).toEqual([]);
    // The virtual owner exists: it is looked at again once an informer shows it.
    await expect(gc.reconcile('r1')).rejects.toThrow(/no informer has shown it yet/);
    expect(gc.graph.node('r1')?.virtual).toBe(true);
  });

  it('an owner with the same name but another uid is gone', async () => {
    const recreated = { ...replicaSet, metadata: { ...replicaSet.metadata, uid: 'r2', ownerReferences: undefined } };
    const { env, gc, deletes } = await start([
      [Resources.replicasets, recreated],
      [Resources.pods, pod('web-5d4f-a', 'p1')],
    ]);
    await gc.reconcile('r1');
    expect(gc.graph.node('r1')).toBeUndefined();
    await gc.reconcile('p1');
    expect(deletes.map(describeDelete)).toEqual(['pods/web-5d4f-a Background uid=p1']);
    expect(has(env, Resources.replicasets, 'web-5d4f')).toBeDefined();
  });

  it('an owner confirmed absent is remembered: its other dependents need no second look-up', async () => {
    const { env, gc, deletes } = await start([
      [Resources.pods, pod('web-5d4f-a', 'p1')],
      [Resources.pods, pod('web-5d4f-b', 'p2')],
    ]);
    await gc.reconcile('p1');
    const gets = env.server.calls.Get ?? 0;
    await gc.reconcile('p2');
    // Only the dependent itself is read again, not its owner.
    expect((env.server.calls.Get ?? 0) - gets).toBe(1);
    expect(deletes.map((d) => d.name)).toEqual(['web-5d4f-a', 'web-5d4f-b']);
  });
});

describe('GarbageCollector: foreground deletion', () => {
  it('deletes the ReplicaSet in the foreground, its pods, then lets the ReplicaSet and the Deployment go', async () => {
    const { env, gc, deletes, queued } = await start([
      [Resources.deployments, deployment()],
      [Resources.replicasets, replicaSet],
      [Resources.pods, pod('web-5d4f-a', 'p1')],
    ]);

    // kubectl delete deployment web --cascade=foreground
    await env.client.delete(Resources.deployments, 'default', 'web', { propagationPolicy: 'Foreground' });
    deletes.length = 0;
    await graphSees(gc, (g) => g.graph.node('d1')!.isDeletingDependents());
    expect(queued).toEqual(['r1', 'd1']);

    // The Deployment waits for its blocking dependent.
    await gc.reconcile('d1');
    expect(has(env, Resources.deployments, 'web')!.metadata.finalizers).toEqual(['foregroundDeletion']);

    // The ReplicaSet has dependents of its own: it is deleted in the foreground too.
    await gc.reconcile('r1');
    expect(deletes.map(describeDelete)).toEqual(['replicasets/web-5d4f Foreground uid=r1']);
    await graphSees(gc, (g) => g.graph.node('r1')!.isDeletingDependents());

    await gc.reconcile('p1');
    expect(deletes.slice(1).map(describeDelete)).toEqual(['pods/web-5d4f-a Background uid=p1']);
    await graphSees(gc, (g) => !g.graph.node('p1'));

    // No pod left: the ReplicaSet's finalizer goes, and with it the ReplicaSet.
    await gc.reconcile('r1');
    expect(has(env, Resources.replicasets, 'web-5d4f')).toBeUndefined();
    await graphSees(gc, (g) => !g.graph.node('r1'));

    await gc.reconcile('d1');
    expect(has(env, Resources.deployments, 'web')).toBeUndefined();
  });

  it('a dependent without blockOwnerDeletion does not hold the owner', async () => {
    const cm = object('v1', 'ConfigMap', 'settings', 'c1', [owner('Deployment', 'apps/v1', 'web', 'd1', false)]);
    const { env, gc } = await start([
      [Resources.deployments, deployment({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] })],
      [Resources.configmaps, cm],
    ]);
    await gc.reconcile('d1');
    expect(has(env, Resources.deployments, 'web')).toBeUndefined();
    expect(has(env, Resources.configmaps, 'settings')).toBeDefined();
  });

  it('a dependent still owned by a live owner drops the waiting owner instead of being deleted', async () => {
    const shared = object('v1', 'ConfigMap', 'settings', 'c1', [owner('Deployment', 'apps/v1', 'web', 'd1'), owner('Deployment', 'apps/v1', 'api', 'd2')]);
    const { env, gc, deletes } = await start([
      [Resources.deployments, deployment({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] })],
      [Resources.deployments, object('apps/v1', 'Deployment', 'api', 'd2')],
      [Resources.configmaps, shared],
    ]);
    await gc.reconcile('c1');
    expect(deletes).toEqual([]);
    expect(has(env, Resources.configmaps, 'settings')!.metadata.ownerReferences).toEqual([owner('Deployment', 'apps/v1', 'api', 'd2')]);
    await graphSees(gc, (g) => g.graph.node('d1')!.blockingDependents().length === 0);
    await gc.reconcile('d1');
    expect(has(env, Resources.deployments, 'web')).toBeUndefined();
  });
});

describe('GarbageCollector: orphan deletion', () => {
  it('removes the owner reference from every dependent, then the orphan finalizer', async () => {
    const { env, gc, deletes, queued } = await start([
      [Resources.deployments, deployment()],
      [Resources.replicasets, replicaSet],
      [Resources.pods, pod('web-5d4f-a', 'p1')],
    ]);
    // kubectl delete deployment web --cascade=orphan
    await env.client.delete(Resources.deployments, 'default', 'web', { propagationPolicy: 'Orphan' });
    deletes.length = 0;
    await graphSees(gc, (g) => g.graph.node('d1')!.isOrphaning());
    expect(queued).toEqual(['d1']);

    await gc.reconcile('d1');
    expect(has(env, Resources.replicasets, 'web-5d4f')!.metadata.ownerReferences).toBeUndefined();
    expect(has(env, Resources.deployments, 'web')).toBeUndefined();
    // The ReplicaSet keeps its pods; nothing was deleted.
    expect(has(env, Resources.pods, 'web-5d4f-a')!.metadata.ownerReferences).toHaveLength(1);
    expect(deletes).toEqual([]);
  });
});

describe('GarbageCollector: run', () => {
  it('cascades a background deletion through its own queue', async () => {
    const env = await testEnv();
    world = { env, gc: new GarbageCollector(env.ctx), deletes: emulateDeletion(env), queued: [] };
    for (const [resource, o] of [
      [Resources.deployments, deployment()],
      [Resources.replicasets, replicaSet],
      [Resources.pods, pod('web-5d4f-a', 'p1')],
      [Resources.pods, pod('web-5d4f-b', 'p2')],
    ] as Fixture[]) {
      env.server.write(resource, 'ADDED', o);
    }
    env.ctx.informers.start();
    const stop = new AbortController();
    const running = world.gc.run(stop.signal);
    await waitFor(() => world!.gc.graph.node('p2'), { intervalMs: 2 });
    await env.client.delete(Resources.deployments, 'default', 'web', { propagationPolicy: 'Background' });
    await waitFor(() => env.objects('/pods').length === 0 && env.objects('apps/replicasets').length === 0, { intervalMs: 5, what: 'the cascade' });
    stop.abort();
    await running;
  });
});

describe('GarbageCollector: the resources it watches', () => {
  it.each<[string, string, GroupVersionResource, boolean]>([
    ['v1', 'ServiceAccount', Resources.serviceaccounts, true],
    ['v1', 'Endpoints', Resources.endpoints, true],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', Resources.horizontalpodautoscalers, true],
    ['autoscaling/v1', 'HorizontalPodAutoscaler', Resources.horizontalpodautoscalers, true],
    ['v1', 'Namespace', Resources.namespaces, false],
    ['scheduling.k8s.io/v1', 'PriorityClass', Resources.priorityclasses, false],
    ['apiregistration.k8s.io/v1', 'APIService', Resources.apiservices, false],
  ])('collects the dependents of a %s %s once it is gone', async (apiVersion, kind, resource, namespaced) => {
    const theOwner: KubeObject = { apiVersion, kind, metadata: { name: 'owner', uid: 'o1', ...(namespaced ? { namespace: 'default' } : {}) } };
    const dependent = object('v1', 'ConfigMap', 'dependent', 'c1', [owner(kind, apiVersion, 'owner', 'o1')]);
    const { env, gc, deletes, queued } = await start([
      [resource, theOwner],
      [Resources.configmaps, dependent],
    ]);
    // Its owner is alive: it stays (and the look-up is no "unable to get REST mapping").
    await gc.reconcile('c1');
    expect(deletes).toEqual([]);

    env.server.write(resource, 'DELETED', theOwner);
    await graphSees(gc, (g) => !g.graph.node('o1'));
    expect(queued).toEqual(['c1']);
    await gc.reconcile('c1');
    expect(deletes.map(describeDelete)).toEqual(['configmaps/dependent Background uid=c1']);
    expect(has(env, Resources.configmaps, 'dependent')).toBeUndefined();
  });

  it("watches what Kubernetes' GC finds by discovery: every listable, watchable, deletable resource but events", () => {
    expect(GARBAGE_COLLECTED_RESOURCES.map((r) => `${r.resource.group}/${r.resource.version}/${r.resource.resource} ${r.kind}${r.namespaced ? '' : ' (cluster)'}`).sort()).toEqual([
      '/v1/configmaps ConfigMap',
      '/v1/endpoints Endpoints',
      '/v1/namespaces Namespace (cluster)',
      '/v1/nodes Node (cluster)',
      '/v1/pods Pod',
      '/v1/secrets Secret',
      '/v1/serviceaccounts ServiceAccount',
      '/v1/services Service',
      'apiregistration.k8s.io/v1/apiservices APIService (cluster)',
      'apps/v1/controllerrevisions ControllerRevision',
      'apps/v1/daemonsets DaemonSet',
      'apps/v1/deployments Deployment',
      'apps/v1/replicasets ReplicaSet',
      'apps/v1/statefulsets StatefulSet',
      'autoscaling/v2/horizontalpodautoscalers HorizontalPodAutoscaler',
      'coordination.k8s.io/v1/leases Lease',
      'discovery.k8s.io/v1/endpointslices EndpointSlice',
      'scheduling.k8s.io/v1/priorityclasses PriorityClass (cluster)',
    ].sort());
  });
});

describe('GarbageCollector: monitors', () => {
  it('skips a resource the apiserver does not serve, and picks it up once it does', async () => {
    const env = await testEnv();
    world = { env, gc: new GarbageCollector(env.ctx), deletes: [], queued: [] };
    const list = env.client.list.bind(env.client);
    let served = false;
    vi.spyOn(env.client, 'list').mockImplementation(async (gvr, options) => {
      if (gvr.resource === 'controllerrevisions' && !served) throw new ApiError(failureStatus(404, 'NotFound', 'the server could not find the requested resource'));
      return list(gvr, options);
    });
    const watched = () => (world!.gc as unknown as { informers(): unknown[] }).informers().length;
    await world.gc.syncMonitors();
    expect(watched()).toBe(GARBAGE_COLLECTED_RESOURCES.length - 1);
    served = true;
    await world.gc.syncMonitors();
    expect(watched()).toBe(GARBAGE_COLLECTED_RESOURCES.length);
    env.ctx.informers.start();
    env.server.write(controllerrevisions, 'ADDED', object('apps/v1', 'ControllerRevision', 'web-1', 'cr1'));
    await graphSees(world.gc, (g) => Boolean(g.graph.node('cr1')));
  });
});
