import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { caughtUp, startController, testEnv, withQueueProbe, type Fixture, type TestEnv } from '../../controller/testing';
import { namespaceFixture } from '../../controller/testing-objects';
import { ServiceAccountsController } from './serviceaccounts-controller';

const ProbedServiceAccountsController = withQueueProbe(ServiceAccountsController);

describe('ServiceAccountsController', () => {
  let env: TestEnv;
  let controller: InstanceType<typeof ProbedServiceAccountsController>;
  const serviceAccounts = () => env.objects('/serviceaccounts').map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`).sort();

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Fixture[]): Promise<void> {
    controller = await startController(env, (ctx) => new ProbedServiceAccountsController(ctx), fixtures);
  }

  it('gives every active namespace a default ServiceAccount, and none to one going away', async () => {
    const existing = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'kube-system', uid: 'uid-sa' } };
    await start(
      [Resources.namespaces, namespaceFixture('default')],
      [Resources.namespaces, namespaceFixture('kube-system')],
      [Resources.namespaces, namespaceFixture('leaving', { deleting: true })],
      [Resources.serviceaccounts, existing],
    );
    await controller.drain();
    expect(serviceAccounts()).toEqual(['default/default', 'kube-system/default']);
    expect(env.server.objects.get('/serviceaccounts/kube-system/default')!.metadata.uid).toBe('uid-sa');
    expect(env.server.calls.Create).toBe(1);
  });

  it('makes one for a new namespace, and again when it is deleted', async () => {
    await start();
    env.server.write(Resources.namespaces, 'ADDED', namespaceFixture('team-a'));
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
