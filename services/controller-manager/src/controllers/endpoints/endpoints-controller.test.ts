import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { caughtUp, startController, testEnv, withQueueProbe, type Fixture, type TestEnv } from '../../controller/testing';
import { runningPod, serviceFixture } from '../../controller/testing-objects';
import { LAST_CHANGE_TRIGGER_TIME } from '../../controller/trigger-time-tracker';
import { EndpointsController } from './endpoints-controller';

const ProbedEndpointsController = withQueueProbe(EndpointsController);

const READY = '2026-01-01T00:01:00Z';
const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });

describe('EndpointsController', () => {
  let env: TestEnv;
  let controller: InstanceType<typeof ProbedEndpointsController>;
  const endpoints = (name = 'web') => env.server.objects.get(`/endpoints/default/${name}`);

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Fixture[]): Promise<void> {
    controller = await startController(env, (ctx) => new ProbedEndpointsController(ctx), fixtures);
  }
  const settle = () => caughtUp(env, Resources.endpoints, Resources.pods, Resources.services);

  it('creates the Endpoints of a Service: its labels, the ready pods, the not-ready ones, the trigger time', async () => {
    await start(
      [Resources.services, serviceFixture('web', { selector: { app: 'web' }, labels: { app: 'web', tier: 'front' } })],
      [Resources.pods, runningPod('web-b', { ip: '10.244.2.3', nodeName: 'node-2', readySince: READY })],
      [Resources.pods, runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
      [Resources.pods, runningPod('web-c', { ip: '10.244.1.9' })],
      [Resources.pods, runningPod('other', { ip: '10.244.1.7', readySince: READY, labels: { app: 'other' } })],
    );
    await controller.reconcile('default/web');
    expect(endpoints()).toMatchObject({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' }, annotations: { [LAST_CHANGE_TRIGGER_TIME]: '2026-01-01T00:00:00Z' } },
      subsets: [
        {
          addresses: [
            { ip: '10.244.1.5', nodeName: 'node-1', targetRef: ref('web-a') },
            { ip: '10.244.2.3', nodeName: 'node-2', targetRef: ref('web-b') },
          ],
          notReadyAddresses: [{ ip: '10.244.1.9', nodeName: 'node-1', targetRef: ref('web-c') }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ],
    });
  });

  it('follows the pods: a pod that turns ready moves to addresses, stamped with when it turned', async () => {
    const pod = runningPod('web-a', { ip: '10.244.1.5' });
    await start([Resources.services, serviceFixture('web', { selector: { app: 'web' } })], [Resources.pods, pod]);
    await controller.drain();
    expect(endpoints()!.subsets).toEqual([{ notReadyAddresses: [{ ip: '10.244.1.5', nodeName: 'node-1', targetRef: ref('web-a') }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    await settle();

    env.server.write(Resources.pods, 'MODIFIED', runningPod('web-a', { ip: '10.244.1.5', readySince: READY }));
    await waitFor(() => controller.pending() > 0, { what: 'the pod change to queue the Service' });
    await controller.drain();
    expect(endpoints()!.subsets).toEqual([{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1', targetRef: ref('web-a') }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(endpoints()!.metadata.annotations).toEqual({ [LAST_CHANGE_TRIGGER_TIME]: READY });
  });

  it('writes nothing when nothing changed, and marks a headless Service', async () => {
    await start([Resources.services, serviceFixture('db', { selector: { app: 'web' }, clusterIP: 'None' })], [Resources.pods, runningPod('web-a', { ip: '10.244.1.5', readySince: READY })]);
    await controller.reconcile('default/db');
    expect(endpoints('db')!.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    await settle();
    const writes = () => (env.server.calls.Create ?? 0) + (env.server.calls.Update ?? 0);
    const before = writes();
    await controller.reconcile('default/db');
    expect(writes()).toBe(before);
  });

  it('deletes the Endpoints of a Service that is gone, and leaves Services without a selector alone', async () => {
    const foreign = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ name: 'https', port: 6443 }] }] };
    await start(
      [Resources.services, serviceFixture('web', { selector: { app: 'web' } })],
      [Resources.services, serviceFixture('kubernetes', { selector: null })],
      [Resources.endpoints, foreign],
      [Resources.pods, runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
    );
    await controller.reconcile('default/kubernetes');
    await controller.reconcile('default/web');
    expect(endpoints('kubernetes')!.subsets).toEqual(foreign.subsets);
    expect(endpoints('web')).toBeDefined();
    await settle();

    env.server.write(Resources.services, 'DELETED', env.server.objects.get('/services/default/web')!);
    await caughtUp(env, Resources.services);
    await controller.drain();
    expect(endpoints('web')).toBeUndefined();
    expect(endpoints('kubernetes')).toBeDefined();
  });

  it('queues only the Services a pod change concerns', async () => {
    await start(
      [Resources.services, serviceFixture('web', { selector: { app: 'web' } })],
      [Resources.services, serviceFixture('api', { selector: { app: 'api' } })],
      [Resources.services, serviceFixture('tier', { selector: { tier: 'front' } })],
      [Resources.services, serviceFixture('empty', { selector: {} })],
      [Resources.services, serviceFixture('none', { selector: null })],
      [Resources.pods, runningPod('p', { ip: '10.244.1.5', labels: { app: 'web', tier: 'front' } })],
    );
    await controller.takeQueued();
    // Labels alone changed: the Services it left and joined, not the one that selects it either way.
    env.server.write(Resources.pods, 'MODIFIED', runningPod('p', { ip: '10.244.1.5', labels: { app: 'api', tier: 'front' } }));
    await caughtUp(env, Resources.pods);
    expect(await controller.takeQueued()).toEqual(['default/api', 'default/web']);
    // Readiness changed: every Service that selects it (an empty selector selects nothing).
    env.server.write(Resources.pods, 'MODIFIED', runningPod('p', { ip: '10.244.1.5', labels: { app: 'api', tier: 'front' }, readySince: READY }));
    await caughtUp(env, Resources.pods);
    expect(await controller.takeQueued()).toEqual(['default/api', 'default/tier']);
    // Nothing an endpoint shows changed: no Service.
    const annotated = runningPod('p', { ip: '10.244.1.5', labels: { app: 'api', tier: 'front' }, readySince: READY });
    env.server.write(Resources.pods, 'MODIFIED', { ...annotated, metadata: { ...annotated.metadata, annotations: { a: 'b' } } });
    await caughtUp(env, Resources.pods);
    expect(await controller.takeQueued()).toEqual([]);
  });

  it('removes Endpoints left behind by a Service deleted while it was not running', async () => {
    const leftover = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'gone', namespace: 'default' }, subsets: [] };
    const lock = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'lock', namespace: 'kube-system', annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } } };
    await start([Resources.endpoints, leftover], [Resources.endpoints, lock]);
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    await waitFor(() => !endpoints('gone'), { what: 'the leftover Endpoints to be deleted' });
    stop.abort();
    await running;
    expect(env.server.objects.get('/endpoints/kube-system/lock')).toBeDefined();
  });
});
