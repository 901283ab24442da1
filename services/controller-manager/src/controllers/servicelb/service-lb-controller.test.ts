import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { caughtUp, startController, testEnv, withQueueProbe, type TestEnv } from '../../controller/testing';
import { serviceFixture } from '../../controller/testing-objects';
import { LOAD_BALANCER_CLEANUP_FINALIZER } from './needs-update';
import { ServiceLBController } from './service-lb-controller';

const ProbedServiceLBController = withQueueProbe(ServiceLBController);

const ENSURED = ['Normal EnsuringLoadBalancer Ensuring load balancer', 'Normal EnsuredLoadBalancer Ensured load balancer'];

describe('ServiceLBController', () => {
  let env: TestEnv;
  let controller: InstanceType<typeof ProbedServiceLBController>;
  const service = (name: string) => env.server.objects.get(`/services/default/${name}`);
  const ingress = (name: string) => (service(name)?.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress;

  beforeEach(async () => {
    env = await testEnv({ loadBalancerIPPool: ['127.0.200.1', '127.0.200.2'] });
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...services: KubeObject[]): Promise<void> {
    controller = await startController(
      env,
      (ctx) => new ProbedServiceLBController(ctx),
      services.map((service) => [Resources.services, service]),
    );
  }
  const settle = () => caughtUp(env, Resources.services);

  it('gives a LoadBalancer Service the first free address of the pool, and a finalizer to give it back', async () => {
    await start(serviceFixture('web', { type: 'LoadBalancer' }), serviceFixture('internal'));
    await controller.drain();
    expect(ingress('web')).toEqual([{ ip: '127.0.200.1', ipMode: 'VIP' }]);
    expect(service('web')!.metadata.finalizers).toEqual([LOAD_BALANCER_CLEANUP_FINALIZER]);
    expect(ingress('internal')).toBeUndefined();
    expect(await env.events()).toEqual(ENSURED);
  });

  it('leaves a Service pending when the pool is used up, and serves it when an address comes free', async () => {
    await start(serviceFixture('a', { type: 'LoadBalancer' }), serviceFixture('b', { type: 'LoadBalancer' }), serviceFixture('c', { type: 'LoadBalancer' }));
    await controller.drain();
    expect([ingress('a'), ingress('b'), ingress('c')]).toEqual([[{ ip: '127.0.200.1', ipMode: 'VIP' }], [{ ip: '127.0.200.2', ipMode: 'VIP' }], undefined]);
    expect(await env.events()).toContain('Warning SyncLoadBalancerFailed Error syncing load balancer: failed to ensure load balancer: no addresses left in the pool 127.0.200.1-127.0.200.2');
    // Tried again after the service controller's back-off, not at once.
    expect(controller.waiting()).toBe(1);
    await settle();

    await env.client.delete(Resources.services, 'default', 'a');
    await waitFor(() => controller.pending() > 0, { what: 'the deletion to queue the Service' });
    await controller.drain();
    expect(service('a')).toBeUndefined();
    expect(ingress('c')).toEqual([{ ip: '127.0.200.1', ipMode: 'VIP' }]);
    const events = await env.events();
    expect(events).toContain('Normal DeletingLoadBalancer Deleting load balancer');
    expect(events).toContain('Normal DeletedLoadBalancer Deleted load balancer');
  });

  it('takes the address back when the Service changes type', async () => {
    await start(serviceFixture('web', { type: 'LoadBalancer' }));
    await controller.drain();
    await settle();
    const lb = service('web')!;
    env.server.write(Resources.services, 'MODIFIED', { ...lb, spec: { ...lb.spec, type: 'ClusterIP' } });
    await waitFor(() => controller.pending() > 0, { what: 'the change to queue the Service' });
    await controller.drain();
    expect(ingress('web')).toBeUndefined();
    // The finalizer patch leaves an empty list (Kubernetes' JSON would omit it).
    expect(service('web')!.metadata.finalizers ?? []).toEqual([]);
    expect(await env.events()).toEqual([...ENSURED, 'Normal Type LoadBalancer -> ClusterIP', 'Normal DeletingLoadBalancer Deleting load balancer', 'Normal DeletedLoadBalancer Deleted load balancer']);
  });

  it('honours spec.loadBalancerIP, and leaves Services of another load balancer class alone', async () => {
    await start(serviceFixture('web', { type: 'LoadBalancer', loadBalancerIP: '127.0.200.2' }), serviceFixture('other', { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' }));
    await controller.drain();
    expect(ingress('web')).toEqual([{ ip: '127.0.200.2', ipMode: 'VIP' }]);
    expect(ingress('other')).toBeUndefined();
    expect(service('other')!.metadata.finalizers).toBeUndefined();
  });

  it('keeps the addresses handed out before it started (by an earlier leader)', async () => {
    const served = serviceFixture('a', { type: 'LoadBalancer', finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER], status: { loadBalancer: { ingress: [{ ip: '127.0.200.1', ipMode: 'VIP' }] } } });
    await start(serviceFixture('b', { type: 'LoadBalancer' }), served);
    await controller.drain();
    expect(ingress('a')).toEqual([{ ip: '127.0.200.1', ipMode: 'VIP' }]);
    expect(ingress('b')).toEqual([{ ip: '127.0.200.2', ipMode: 'VIP' }]);
  });

  /** An edit by another client that the controller's cache has not seen yet. */
  function editBehindCache(name: string, change: (edited: KubeObject) => void): void {
    const edited = structuredClone(service(name)!);
    change(edited);
    env.server.write(Resources.services, 'MODIFIED', edited);
    const cached = env.ctx.informers.informer(Resources.services).indexer.get('default', name);
    expect(cached!.metadata.resourceVersion).not.toBe(service(name)!.metadata.resourceVersion);
  }

  it('adds its finalizer and the address to a Service edited after the cache saw it, keeping the edit', async () => {
    await start(serviceFixture('web', { type: 'LoadBalancer' }));
    editBehindCache('web', (edited) => {
      edited.metadata.labels = { edited: 'yes' };
      edited.metadata.finalizers = ['example.com/keep'];
    });
    await controller.drain();
    expect(await env.events()).toEqual(ENSURED);
    expect(controller.waiting()).toBe(0);
    expect(service('web')!.metadata.labels).toEqual({ edited: 'yes' });
    expect([...(service('web')!.metadata.finalizers ?? [])].sort()).toEqual(['example.com/keep', LOAD_BALANCER_CLEANUP_FINALIZER]);
    expect(ingress('web')).toEqual([{ ip: '127.0.200.1', ipMode: 'VIP' }]);
  });

  it('removes its finalizer and the address from a Service edited after the cache saw it, keeping the edit', async () => {
    await start(serviceFixture('web', { type: 'LoadBalancer' }));
    await controller.drain();
    await settle();
    const lb = service('web')!;
    env.server.write(Resources.services, 'MODIFIED', { ...lb, spec: { ...lb.spec, type: 'ClusterIP' } });
    await waitFor(() => controller.pending() > 0, { what: 'the change to queue the Service' });
    editBehindCache('web', (edited) => {
      edited.metadata.finalizers = [...edited.metadata.finalizers!, 'example.com/keep'];
    });
    await controller.drain();
    expect(await env.events()).toEqual([...ENSURED, 'Normal Type LoadBalancer -> ClusterIP', 'Normal DeletingLoadBalancer Deleting load balancer', 'Normal DeletedLoadBalancer Deleted load balancer']);
    expect(controller.waiting()).toBe(0);
    expect(service('web')!.metadata.finalizers).toEqual(['example.com/keep']);
    expect(ingress('web')).toBeUndefined();
  });
});
