import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { caughtUp, startController, testEnv, withQueueProbe, type Fixture, type TestEnv } from '../../controller/testing';
import { namespaceFixture, podFixture, runningPod } from '../../controller/testing-objects';
import { NAMESPACE_DELETION_GRACE_PERIOD_MS, NamespaceController } from './namespace-controller';

const ProbedNamespaceController = withQueueProbe(NamespaceController);

const namespace = (name: string, deleting = true) => namespaceFixture(name, { deleting });
const configMap = (name: string, ns: string, finalizers?: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, uid: `uid-${name}`, ...(finalizers ? { finalizers } : {}) }, data: {} });
const unscheduled = (name: string, ns: string) => podFixture(name, { namespace: ns });
const deployment = (name: string, ns: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, uid: `uid-${name}` }, spec: {} });

describe('NamespaceController', () => {
  let env: TestEnv;
  let controller: InstanceType<typeof ProbedNamespaceController>;
  const ns = (name = 'team-a') => env.server.objects.get(`/namespaces//${name}`);
  const condition = (type: string, name = 'team-a') => (ns(name)?.status?.conditions as Array<{ type: string; status: string; message: string }> | undefined)?.find((c) => c.type === type);
  const left = (namespaceName = 'team-a') => [...env.server.objects.values()].filter((o) => o.metadata.namespace === namespaceName).map((o) => `${o.kind}/${o.metadata.name}`).sort();

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Fixture[]): Promise<void> {
    controller = await startController(env, (ctx) => new ProbedNamespaceController(ctx), fixtures);
  }

  it('waits a few seconds after the deletion, empties the namespace, then lets it go', async () => {
    await start(
      [Resources.namespaces, namespace('team-a')],
      [Resources.namespaces, namespace('other', false)],
      [Resources.configmaps, configMap('settings', 'team-a')],
      [Resources.deployments, deployment('web', 'team-a')],
      [Resources.pods, unscheduled('pending', 'team-a')],
      [Resources.configmaps, configMap('settings', 'other')],
    );
    expect(controller.pending()).toBe(0);
    expect(controller.waiting()).toBe(1);
    await env.clock.advance(NAMESPACE_DELETION_GRACE_PERIOD_MS);
    expect(controller.pending()).toBe(1);
    await controller.drain();
    expect(left()).toEqual([]);
    expect(ns()).toBeUndefined();
    expect(left('other')).toEqual(['ConfigMap/settings']);
    expect(ns('other')).toBeDefined();
  });

  it('waits for pods on nodes to finish their grace period, saying what remains', async () => {
    const pod = { ...runningPod('web-0', { namespace: 'team-a', nodeName: 'node-1', terminationGracePeriodSeconds: 30 }) };
    await start([Resources.namespaces, namespace('team-a')], [Resources.pods, pod]);
    await env.clock.advance(NAMESPACE_DELETION_GRACE_PERIOD_MS);
    // No more informer news: the status updates it writes would bring the namespace back sooner.
    await env.ctx.informers.stop();
    await controller.drain();
    expect(ns()!.spec!.finalizers).toEqual(['kubernetes']);
    expect(env.server.objects.get('/pods/team-a/web-0')!.metadata.deletionTimestamp).toBeDefined();
    expect(condition('NamespaceContentRemaining')).toMatchObject({ status: 'True', message: 'Some resources are remaining: pods. has 1 resource instances' });
    // Back after half the estimate, plus a second.
    await env.clock.advance(15_000);
    expect(controller.pending()).toBe(0);
    await env.clock.advance(1_000);
    expect(controller.pending()).toBe(1);

    // The kubelet has stopped the pod and deletes it for good.
    env.server.write(Resources.pods, 'DELETED', env.server.objects.get('/pods/team-a/web-0')!);
    await controller.drain();
    expect(ns()).toBeUndefined();
  });

  it('reports objects held by finalizers, and lets the namespace go once they are released', async () => {
    await start([Resources.namespaces, namespace('team-a')], [Resources.configmaps, configMap('held', 'team-a', ['example.com/hold'])]);
    await controller.reconcile('team-a');
    expect(condition('NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(condition('NamespaceContentRemaining')).toMatchObject({ status: 'True', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    await env.clock.advance(8_000);
    expect(controller.pending()).toBe(1);

    env.server.write(Resources.configmaps, 'DELETED', env.server.objects.get('/configmaps/team-a/held')!);
    await controller.drain();
    expect(ns()).toBeUndefined();
  });

  it('leaves namespaces that are not being deleted alone', async () => {
    await start([Resources.namespaces, namespace('team-a', false)], [Resources.configmaps, configMap('settings', 'team-a')]);
    await controller.reconcile('team-a');
    expect(left()).toEqual(['ConfigMap/settings']);
    expect(ns()!.spec!.finalizers).toEqual(['kubernetes']);
  });

  it('notices a namespace being deleted while it runs', async () => {
    await start([Resources.namespaces, namespace('team-a', false)]);
    expect(controller.waiting()).toBe(0);
    env.server.write(Resources.namespaces, 'MODIFIED', namespace('team-a'));
    await caughtUp(env, Resources.namespaces);
    await waitFor(() => controller.waiting() === 1, { what: 'the namespace to wait for its turn' });
    await env.clock.advance(NAMESPACE_DELETION_GRACE_PERIOD_MS);
    await controller.drain();
    expect(ns()).toBeUndefined();
  });
});
