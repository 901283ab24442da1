import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { testEnv, type TestEnv } from '../../controller/testing';
import { caughtUp } from '../../controller/testing-services';
import { ServiceAccountsController } from './serviceaccounts-controller';

class ProbedServiceAccountsController extends ServiceAccountsController {
  pending(): number {
    return this.queue.len();
  }
  async drain(): Promise<void> {
    while (this.queue.len() > 0) await this.processNextItem();
  }
}

const namespace = (name: string, phase = 'Active'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `uid-ns-${name}`, ...(phase === 'Terminating' ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase },
});

describe('ServiceAccountsController', () => {
  let env: TestEnv;
  let controller: ProbedServiceAccountsController;
  const serviceAccounts = () => env.objects('/serviceaccounts').map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`).sort();

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Array<[typeof Resources.pods, KubeObject]>): Promise<void> {
    for (const [resource, object] of fixtures) env.server.write(resource, 'ADDED', object);
    controller = new ProbedServiceAccountsController(env.ctx);
    env.ctx.informers.start();
    await env.ctx.informers.waitForSync();
  }

  it('gives every active namespace a default ServiceAccount, and none to one going away', async () => {
    const existing = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'kube-system', uid: 'uid-sa' } };
    await start(
      [Resources.namespaces, namespace('default')],
      [Resources.namespaces, namespace('kube-system')],
      [Resources.namespaces, namespace('leaving', 'Terminating')],
      [Resources.serviceaccounts, existing],
    );
    await controller.drain();
    expect(serviceAccounts()).toEqual(['default/default', 'kube-system/default']);
    expect(env.server.objects.get('/serviceaccounts/kube-system/default')!.metadata.uid).toBe('uid-sa');
    expect(env.server.calls.Create).toBe(1);
  });

  it('makes one for a new namespace, and again when it is deleted', async () => {
    await start();
    env.server.write(Resources.namespaces, 'ADDED', namespace('team-a'));
    await waitFor(() => controller.pending() > 0, { what: 'the namespace to be queued' });
    await controller.drain();
    expect(serviceAccounts()).toEqual(['team-a/default']);
    await caughtUp(env, Resources.serviceaccounts);

    env.server.write(Resources.serviceaccounts, 'DELETED', env.server.objects.get('/serviceaccounts/team-a/default')!);
    await waitFor(() => controller.pending() > 0, { what: 'the deletion to queue the namespace' });
    await controller.drain();
    expect(serviceAccounts()).toEqual(['team-a/default']);
  });
});
