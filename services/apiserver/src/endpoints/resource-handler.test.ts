import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@kubelab/component-base';
import { startKubelabStore, type ServerProcess } from '@kubelab/testkit';
import { bootstrap } from '../bootstrap';
import { createApiServer } from '../server';
import { EtcdClient } from '../storage/etcd-client';
import { ObjectStore } from '../storage/object-store';
import type { GenericRegistry } from '../registry/generic-registry';

/**
 * The REST verbs' edges on the real store, through the in-process HTTP server: delete and its
 * answers, deletecollection, dryRun, preconditions, bodies that are not objects.
 */

const log = createLogger('resource-handler-test', 'silent');
let store: ServerProcess;
let etcd: EtcdClient;
let objectStore: ObjectStore;
let registry: GenericRegistry;
let close: () => Promise<void>;
let base: string;

beforeAll(async () => {
  store = await startKubelabStore();
  etcd = new EtcdClient([`http://${store.endpoint}`]);
  objectStore = new ObjectStore(etcd, '/registry', { log, size: 1000 });
  const api = createApiServer({ store: objectStore, advertiseAddress: '127.0.0.1', bookmarkIntervalMs: 60_000, log, ready: () => true });
  registry = api.registry;
  await bootstrap(registry, { address: '127.0.0.1', port: 6443 }, log);
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  close = async () => {
    api.closeWatches();
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  };
});

afterAll(async () => {
  await close?.();
  objectStore?.close();
  etcd?.close();
  await store?.stop();
});

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(method: string, path: string, body?: unknown): Promise<{ code: number; body: Body }> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  return { code: res.status, body: (await res.json()) as Body };
}

const configMap = (name: string, extra: Body = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data: { a: '1' } });
const CM = '/api/v1/namespaces/default/configmaps';

describe('a namespace’s deletion', () => {
  it('asked again while Terminating changes nothing; PUT /finalize (kubectl replace --raw) then lets it go', async () => {
    expect((await call('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } })).code).toBe(201);
    const first = await call('DELETE', '/api/v1/namespaces/doomed');
    expect(first.body).toMatchObject({ kind: 'Namespace', spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });
    const again = await call('DELETE', '/api/v1/namespaces/doomed');
    expect((await call('GET', '/api/v1/namespaces/doomed')).code).toBe(200);
    expect(again.body).toMatchObject({ kind: 'Namespace', metadata: { resourceVersion: first.body.metadata.resourceVersion }, status: { phase: 'Terminating' } });
    expect([first.code, again.code]).toEqual([200, 200]);

    const finalized = await call('PUT', '/api/v1/namespaces/doomed/finalize', { ...again.body, spec: { finalizers: [] } });
    expect(finalized.code).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/doomed')).code).toBe(404);
  });

  it('reads and writes /status as the namespace’s status subresource', async () => {
    const got = await call('GET', '/api/v1/namespaces/default/status');
    expect(got).toMatchObject({ code: 200, body: { kind: 'Namespace', metadata: { name: 'default' } } });
  });
});

describe('delete preconditions', () => {
  it('are checked before a delete that only marks the object, in Kubernetes’ words', async () => {
    const created = (await call('POST', CM, configMap('kept', { finalizers: ['example.com/keep'] }))).body;
    const stale = await call('DELETE', `${CM}/kept`, { preconditions: { resourceVersion: '1' } });
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on ConfigMap "kept": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${created.metadata.resourceVersion}). The object might have been modified`,
      details: { name: 'kept', kind: 'ConfigMap' },
    });
    const otherUid = await call('DELETE', `${CM}/kept`, { preconditions: { uid: 'someone-else' } });
    expect(otherUid.body.message).toBe(`Operation cannot be fulfilled on ConfigMap "kept": the UID in the precondition (someone-else) does not match the UID in record (${created.metadata.uid}). The object might have been deleted and then recreated`);
    expect((await call('GET', `${CM}/kept`)).body.metadata.deletionTimestamp).toBeUndefined();

    const marked = await call('DELETE', `${CM}/kept`, { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } });
    expect(marked.code).toBe(200);
    expect(marked.body.metadata.deletionTimestamp).toBeDefined();
  });

  it('on a namespace are worded as its own registry words them', async () => {
    const ns = (await call('POST', '/api/v1/namespaces', { metadata: { name: 'guarded' } })).body;
    const stale = await call('DELETE', '/api/v1/namespaces/guarded', { preconditions: { resourceVersion: '1' } });
    expect(stale).toMatchObject({ code: 409, body: { message: `Operation cannot be fulfilled on namespaces "guarded": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${ns.metadata.resourceVersion}` } });
    expect((await call('GET', '/api/v1/namespaces/guarded')).body.status.phase).toBe('Active');
  });
});

describe('delete answers', () => {
  it('200 with a Status naming the resource for a kind that does not return the deleted object', async () => {
    const created = (await call('POST', CM, configMap('gone'))).body;
    const deleted = await call('DELETE', `${CM}/gone`);
    expect(deleted.code).toBe(200);
    expect(deleted.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: created.metadata.uid } });

    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };
    const uid = (await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment)).body.metadata.uid;
    const status = await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/web', { propagationPolicy: 'Background' });
    expect(status).toMatchObject({ code: 200, body: { kind: 'Status', status: 'Success', details: { name: 'web', group: 'apps', kind: 'deployments', uid } } });
  });

  it('200 with the object for pods, services, namespaces and serviceaccounts, and while it waits for its finalizers', async () => {
    await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } });
    expect(await call('DELETE', '/api/v1/namespaces/default/serviceaccounts/robot')).toMatchObject({ code: 200, body: { kind: 'ServiceAccount', metadata: { name: 'robot' } } });
    await call('POST', CM, configMap('waiting', { finalizers: ['example.com/keep'] }));
    expect(await call('DELETE', `${CM}/waiting`)).toMatchObject({ code: 200, body: { kind: 'ConfigMap', metadata: { name: 'waiting', deletionTimestamp: expect.any(String) } } });
  });

  it('202 only when the client asked orphanDependents=false and the object is not gone yet', async () => {
    await call('POST', CM, configMap('cascading', { finalizers: ['example.com/keep'] }));
    const accepted = await call('DELETE', `${CM}/cascading`, { orphanDependents: false });
    expect(accepted).toMatchObject({ code: 202, body: { kind: 'ConfigMap', metadata: { name: 'cascading' } } });
    const both = await call('DELETE', `${CM}/cascading`, { orphanDependents: true, propagationPolicy: 'Foreground' });
    expect(both).toMatchObject({ code: 422, body: { message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Foreground": orphanDependents and deletionPropagation cannot be both set' } });
  });
});

describe('deletecollection', () => {
  it('skips an object someone else deleted meanwhile and deletes the rest', async () => {
    for (const name of ['batch-a', 'batch-b', 'batch-c']) await call('POST', CM, configMap(name, { labels: { batch: 'one' } }));
    const original = registry.delete.bind(registry);
    const spy = vi.spyOn(registry, 'delete').mockImplementation(async (type, namespace, name, options) => {
      if (name === 'batch-b') await objectStore.delete(type, namespace, name); // the race, lost
      return original(type, namespace, name, options);
    });
    try {
      const answer = await call('DELETE', `${CM}?labelSelector=batch%3Done`);
      expect(answer.code).toBe(200);
      expect(answer.body.items.map((i: Body) => i.metadata.name)).toEqual(['batch-a', 'batch-b', 'batch-c']);
    } finally {
      spy.mockRestore();
    }
    expect((await call('GET', `${CM}?labelSelector=batch%3Done`)).body.items).toEqual([]);
  });

  it('is not routed across namespaces: 405, as for any write there', async () => {
    await call('POST', CM, configMap('survivor'));
    const answer = await call('DELETE', '/api/v1/configmaps');
    expect(answer).toEqual({ code: 405, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 } });
    expect((await call('POST', '/api/v1/configmaps', configMap('nowhere'))).code).toBe(405);
    expect((await call('GET', `${CM}/survivor`)).code).toBe(200);
  });
});

describe('dryRun', () => {
  it('other than "All" is a 422 and writes nothing', async () => {
    const create = await call('POST', `${CM}?dryRun=foo`, configMap('not-written'));
    expect(create).toMatchObject({
      code: 422,
      body: { reason: 'Invalid', message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"foo"}: supported values: "All"', details: { group: 'meta.k8s.io', kind: 'CreateOptions', causes: [{ reason: 'FieldValueNotSupported', field: 'dryRun' }] } },
    });
    expect((await call('GET', `${CM}/not-written`)).code).toBe(404);

    await call('POST', CM, configMap('not-deleted'));
    const del = await call('DELETE', `${CM}/not-deleted`, { dryRun: ['All', 'Everything'] });
    expect(del).toMatchObject({ code: 422, body: { message: 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", "Everything"}: supported values: "All"' } });
    expect((await call('DELETE', `${CM}/not-deleted?dryRun=yes`)).code).toBe(422);
    expect((await call('PUT', `${CM}/not-deleted?dryRun=true`, configMap('not-deleted'))).body.message).toMatch(/^UpdateOptions\.meta\.k8s\.io "" is invalid: /);
    expect((await call('GET', `${CM}/not-deleted`)).code).toBe(200);
  });

  it('replacing with a stale resourceVersion is a 409, as the real write', async () => {
    const created = (await call('POST', CM, configMap('replaced'))).body;
    const updated = (await call('PUT', `${CM}/replaced`, { ...created, data: { a: '2' } })).body;
    const stale = await call('PUT', `${CM}/replaced?dryRun=All`, { ...created, data: { a: '3' } });
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "replaced": the object has been modified; please apply your changes to the latest version and try again' } });
    const current = await call('PUT', `${CM}/replaced?dryRun=All`, { ...updated, data: { a: '3' } });
    expect(current).toMatchObject({ code: 200, body: { data: { a: '3' } } });
    expect((await call('GET', `${CM}/replaced`)).body.data).toEqual({ a: '2' });
  });
});

describe('a create body', () => {
  it('of `null` is an empty object of the endpoint’s kind (Kubernetes’ decoder), not a 500', async () => {
    const answer = await call('POST', CM, 'null');
    expect(answer).toMatchObject({ code: 422, body: { reason: 'Invalid', message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required' } });
  });
});
