import { describe, expect, it } from 'vitest';
import { ApiError } from '@kubelab/apimachinery';
import { Errors } from '../../errors';
import type { ObjectStore } from '../../storage/object-store';
import { GenericRegistry } from '../generic-registry';
import { lookup } from '../catalog';
import type { KubeObject, ResourceType } from '../types';
import { admitNamespaceLifecycle } from './namespace-lifecycle';

/** Just enough of a store: namespaces to read, and whatever is created kept in memory. */
function fakeStore(nsList: KubeObject[]): ObjectStore {
  const objects = new Map<string, KubeObject>(nsList.map((ns) => [`namespaces//${ns.metadata.name}`, ns]));
  const key = (type: ResourceType, namespace: string | undefined, name: string) => `${type.resource}/${namespace ?? ''}/${name}`;
  const get = async (type: ResourceType, namespace: string | undefined, name: string) => {
    const found = objects.get(key(type, namespace, name));
    if (!found) throw Errors.notFound(type, name);
    return structuredClone(found);
  };
  return {
    get,
    getCached: get,
    list: async () => ({ items: [], resourceVersion: '1' }),
    listCached: async () => [],
    create: async (type: ResourceType, object: KubeObject) => {
      objects.set(key(type, object.metadata.namespace, object.metadata.name!), object);
      return object;
    },
  } as unknown as ObjectStore;
}

const active = { metadata: { name: 'team-b' }, status: { phase: 'Active' } } as KubeObject;
const terminating = { metadata: { name: 'team-a', deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Terminating' } } as KubeObject;
const pods = lookup('', 'v1', 'pods')!;
const configmaps = lookup('', 'v1', 'configmaps')!;
const deployments = lookup('apps', 'v1', 'deployments')!;

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('NamespaceLifecycle admission', () => {
  it('lets objects into an active namespace', async () => {
    await expect(admitNamespaceLifecycle(fakeStore([active]), pods, 'team-b', 'x')).resolves.toBeUndefined();
  });

  it('refuses a new object in a terminating namespace as Kubernetes words it, with the NamespaceTerminating cause', async () => {
    const error = await refusal(admitNamespaceLifecycle(fakeStore([terminating]), pods, 'team-a', 'x'));
    expect(error.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "x" is forbidden: unable to create new content in namespace team-a because it is being terminated',
      reason: 'Forbidden',
      details: { name: 'x', kind: 'pods', causes: [{ reason: 'NamespaceTerminating', message: 'namespace team-a is being terminated', field: 'metadata.namespace' }] },
      code: 403,
    });
  });

  it('names a grouped resource with its group', async () => {
    const error = await refusal(admitNamespaceLifecycle(fakeStore([terminating]), deployments, 'team-a', 'web'));
    expect(error.message).toBe('deployments.apps "web" is forbidden: unable to create new content in namespace team-a because it is being terminated');
    expect(error.status.details).toMatchObject({ name: 'web', group: 'apps', kind: 'deployments' });
  });

  it('answers a missing namespace with 404 namespaces "nope" not found', async () => {
    const error = await refusal(admitNamespaceLifecycle(fakeStore([active]), configmaps, 'nope', 'x'));
    expect(error.code).toBe(404);
    expect(error.message).toBe('namespaces "nope" not found');
    expect(error.status.details).toEqual({ name: 'nope', kind: 'namespaces' });
  });

  describe('through the registry', () => {
    const registry = () => new GenericRegistry(fakeStore([active, terminating]));

    it('refuses a pod in a terminating namespace', async () => {
      const error = await refusal(registry().create(pods, 'team-a', { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KubeObject));
      expect(error.message).toBe('pods "x" is forbidden: unable to create new content in namespace team-a because it is being terminated');
    });

    it('names an object by its generateName prefix, as admission sees it before the name is drawn', async () => {
      const error = await refusal(registry().create(configmaps, 'team-a', { metadata: { generateName: 'settings-' } } as KubeObject));
      expect(error.message).toBe('configmaps "settings-" is forbidden: unable to create new content in namespace team-a because it is being terminated');
    });

    it('creates in an active namespace, and 404s in a missing one', async () => {
      await expect(registry().create(configmaps, 'team-b', { metadata: { name: 'settings' } } as KubeObject)).resolves.toMatchObject({ metadata: { name: 'settings', namespace: 'team-b' } });
      expect((await refusal(registry().create(configmaps, 'nope', { metadata: { name: 'settings' } } as KubeObject))).message).toBe('namespaces "nope" not found');
    });
  });
});
