import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { caughtUp, startController, testEnv, withQueueProbe, type Fixture, type TestEnv } from '../../controller/testing';
import { nodeFixture, runningPod, serviceFixture } from '../../controller/testing-objects';
import { LAST_CHANGE_TRIGGER_TIME } from '../../controller/trigger-time-tracker';
import { EndpointSliceController } from './endpointslice-controller';

const ProbedEndpointSliceController = withQueueProbe(EndpointSliceController);

const READY = '2026-01-01T00:01:00Z';

describe('EndpointSliceController', () => {
  let env: TestEnv;
  let controller: InstanceType<typeof ProbedEndpointSliceController>;
  const slices = () => env.objects('discovery.k8s.io/endpointslices', 'default');

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Fixture[]): Promise<void> {
    controller = await startController(env, (ctx) => new ProbedEndpointSliceController(ctx, 2), fixtures);
  }
  const settle = () => caughtUp(env, Resources.endpointslices, Resources.pods, Resources.services);

  it('writes the slice of a Service: named after it, owned by it, the pods with their conditions and zones', async () => {
    await start(
      [Resources.nodes, nodeFixture('node-1', { labels: { 'topology.kubernetes.io/zone': 'zone-a' } })],
      [Resources.nodes, nodeFixture('node-2')],
      [Resources.services, serviceFixture('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] })],
      [Resources.pods, runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
      [Resources.pods, runningPod('web-b', { ip: '10.244.2.3', nodeName: 'node-2' })],
    );
    await controller.reconcile('default/web');
    expect(slices()).toHaveLength(1);
    const [slice] = slices();
    expect(slice!.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice).toMatchObject({
      metadata: {
        labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        annotations: { [LAST_CHANGE_TRIGGER_TIME]: '2026-01-01T00:00:00Z' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      endpoints: [
        { addresses: ['10.244.1.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zone: 'zone-a', targetRef: { kind: 'Pod', name: 'web-a' } },
        { addresses: ['10.244.2.3'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'node-2', targetRef: { kind: 'Pod', name: 'web-b' } },
      ],
    });
  });

  it('keeps the same slice as pods come and change, and an empty one when none is left', async () => {
    await start([Resources.nodes, nodeFixture('node-1')], [Resources.services, serviceFixture('web', { selector: { app: 'web' } })]);
    await controller.drain();
    const [placeholder] = slices();
    expect(placeholder).toMatchObject({ endpoints: [], ports: [] });
    await settle();

    env.server.write(Resources.pods, 'ADDED', runningPod('web-a', { ip: '10.244.1.5' }));
    await waitFor(() => controller.pending() > 0, { what: 'the new pod to queue the Service' });
    await controller.drain();
    await settle();
    env.server.write(Resources.pods, 'MODIFIED', runningPod('web-a', { ip: '10.244.1.5', readySince: READY }));
    await waitFor(() => controller.pending() > 0, { what: 'the pod change to queue the Service' });
    await controller.drain();
    expect(slices().map((s) => s.metadata.name)).toEqual([placeholder!.metadata.name]);
    expect(slices()[0]).toMatchObject({ ports: [{ port: 8080 }], endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }] });
    expect(slices()[0]!.metadata.annotations).toEqual({ [LAST_CHANGE_TRIGGER_TIME]: READY });
    await settle();

    env.server.write(Resources.pods, 'DELETED', env.server.objects.get('/pods/default/web-a')!);
    await waitFor(() => controller.pending() > 0, { what: 'the pod deletion to queue the Service' });
    await controller.drain();
    expect(slices().map((s) => s.metadata.name)).toEqual([placeholder!.metadata.name]);
    expect(slices()[0]).toMatchObject({ endpoints: [], ports: [] });
    expect(env.server.calls.Create).toBe(1);
  });

  it('spreads many pods over slices of the maximum size', async () => {
    const pods = Array.from({ length: 5 }, (_, i) => [Resources.pods, runningPod(`web-${i}`, { ip: `10.244.1.${i + 10}`, readySince: READY })] as Fixture);
    await start([Resources.nodes, nodeFixture('node-1')], [Resources.services, serviceFixture('web', { selector: { app: 'web' } })], ...pods);
    await controller.reconcile('default/web');
    expect(slices().map((s) => (s.endpoints as unknown[]).length).sort()).toEqual([1, 2, 2]);
  });

  it('does not act on a cache that has not seen its own last write', async () => {
    await start([Resources.nodes, nodeFixture('node-1')], [Resources.services, serviceFixture('web', { selector: { app: 'web' } })]);
    // The watches stop: the cache will not see the slice about to be written.
    await env.ctx.informers.stop();
    await controller.reconcile('default/web');
    await expect(controller.reconcile('default/web')).rejects.toThrow('EndpointSlice informer cache is out of date for default/web');
    env.ctx.informers.start();
    await settle();
    await controller.reconcile('default/web');
    expect(slices()).toHaveLength(1);
  });

  it('leaves out a pod whose node is unknown, says so and comes back', async () => {
    await start(
      [Resources.nodes, nodeFixture('node-1')],
      [Resources.services, serviceFixture('web', { selector: { app: 'web' } })],
      [Resources.pods, runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
      [Resources.pods, runningPod('web-b', { ip: '10.244.9.5', readySince: READY, nodeName: 'node-9' })],
    );
    await expect(controller.reconcile('default/web')).rejects.toThrow('skipping Pod web-b for Service default/web: Node node-9 Not Found');
    expect(slices().flatMap((s) => (s.endpoints as Array<{ addresses: string[] }>).map((e) => e.addresses[0]))).toEqual(['10.244.1.5']);
    expect(await env.events()).toEqual(['Warning FailedToUpdateEndpointSlices Error updating Endpoint Slices for Service default/web: skipping Pod web-b for Service default/web: Node node-9 Not Found']);
  });

  it('writes nothing for a Service without a selector, and lets the garbage collector have a deleted one', async () => {
    await start([Resources.services, serviceFixture('kubernetes', { selector: null })], [Resources.services, serviceFixture('web', { selector: { app: 'web' } })]);
    await controller.reconcile('default/kubernetes');
    expect(slices()).toEqual([]);
    await controller.reconcile('default/web');
    await settle();
    env.server.write(Resources.services, 'DELETED', env.server.objects.get('/services/default/web')!);
    await caughtUp(env, Resources.services);
    await controller.reconcile('default/web');
    expect(slices()).toHaveLength(1);
  });
});
