import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { ApiError, isConflict, ObjectsClient, Resources, type KubeObject, type WatchEvent } from '@kubelab/client';
import { etcdctl, kubectl, startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The object API (proto/kubelab/objects.proto) against the real apiserver and store: each RPC
 * does what its REST twin does, and its errors are the very Status the REST API answers.
 */
const NS = 'objects-api';
const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

describe('the Objects gRPC service', () => {
  let store: ServerProcess;
  let apiserver: ApiserverProcess;
  let client: ObjectsClient;
  const rest = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${apiserver.url}${path}`, { method, headers: { 'Content-Type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { code: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected the call to fail'); }, (error: unknown) => error as ApiError);

  beforeAll(async () => {
    store = await startKubelabStore();
    apiserver = await startKubelabApiserver(store.endpoint, { args: ['--bookmark-interval', '300'] });
    client = new ObjectsClient(apiserver.grpcEndpoint);
    await client.create(Resources.namespaces, { metadata: { name: NS } });
  });
  afterAll(async () => {
    client?.close();
    await apiserver?.stop();
    await store?.stop();
  });

  it('create, get and list see the objects kubectl sees, with label and field selectors and pages', async () => {
    for (const [name, app] of [['web-1', 'web'], ['web-2', 'web'], ['db-1', 'db']] as const) await client.create(Resources.pods, pod(name, { app }));
    const got = await client.get(Resources.pods, NS, 'web-1');
    expect(got).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-1', namespace: NS }, status: { phase: 'Pending' } });
    expect(kubectl(apiserver.kubeconfig, ['get', 'pods', '-n', NS, '-o', 'name']).stdout.split('\n').filter(Boolean)).toEqual(['pod/db-1', 'pod/web-1', 'pod/web-2']);
    expect((await client.list(Resources.pods, { namespace: NS, labelSelector: 'app=web' })).items.map((p) => p.metadata.name)).toEqual(['web-1', 'web-2']);
    expect((await client.list(Resources.pods, { namespace: NS, fieldSelector: 'metadata.name=db-1' })).items.map((p) => p.metadata.name)).toEqual(['db-1']);
    const first = await client.list(Resources.pods, { namespace: NS, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.remainingItemCount).toBe(1);
    const rest2 = await client.list(Resources.pods, { namespace: NS, limit: 2, continue: first.continue });
    expect(rest2.items.map((p) => p.metadata.name)).toEqual(['web-2']);
    expect(rest2.resourceVersion).toBe(first.resourceVersion);
    const all = await client.list(Resources.namespaces);
    expect(all.items.map((n) => n.metadata.name)).toContain(NS);
  });

  it('answers errors with the exact Status the REST API answers', async () => {
    const notFound = await failure(client.get(Resources.pods, NS, 'missing'));
    expect(notFound).toBeInstanceOf(ApiError);
    expect(notFound.status).toEqual((await rest('GET', `/api/v1/namespaces/${NS}/pods/missing`)).body);
    const exists = await failure(client.create(Resources.pods, pod('web-1')));
    expect(exists.status).toEqual((await rest('POST', `/api/v1/namespaces/${NS}/pods`, pod('web-1'))).body);
    expect(exists.code).toBe(409);
    const bad = { ...pod('bad'), spec: { containers: [{ name: 'c' }] } };
    const invalid = await failure(client.create(Resources.pods, bad));
    expect(invalid.code).toBe(422);
    expect(invalid.status).toEqual((await rest('POST', `/api/v1/namespaces/${NS}/pods`, bad)).body);
    const badSelector = await failure(client.list(Resources.pods, { fieldSelector: 'spec.nope=x' }));
    expect(badSelector.status).toEqual((await rest('GET', '/api/v1/pods?fieldSelector=spec.nope%3Dx')).body);
    expect((await failure(client.get({ group: 'example.com', version: 'v1', resource: 'widgets' }, NS, 'x'))).code).toBe(404);
  });

  it('update is pinned to the resourceVersion it carries; updateStatus changes only the status', async () => {
    const web = await client.get(Resources.pods, NS, 'web-2');
    const relabeled = await client.update(Resources.pods, { ...web, metadata: { ...web.metadata, labels: { app: 'web', tier: 'front' } } });
    expect(relabeled.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    const stale = await failure(client.update(Resources.pods, { ...web, metadata: { ...web.metadata, labels: {} } }));
    expect(isConflict(stale)).toBe(true);
    expect(stale.message).toBe('Operation cannot be fulfilled on pods "web-2": the object has been modified; please apply your changes to the latest version and try again');
    const withStatus = await client.updateStatus(Resources.pods, { ...relabeled, metadata: { ...relabeled.metadata, labels: { ignored: 'yes' } }, status: { phase: 'Running', podIP: '10.244.1.5' } });
    expect(withStatus.status).toMatchObject({ phase: 'Running', podIP: '10.244.1.5' });
    expect(withStatus.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(kubectl(apiserver.kubeconfig, ['get', 'pod', 'web-2', '-n', NS, '-o', 'jsonpath={.status.podIP}']).stdout).toBe('10.244.1.5');
  });

  it('patches with merge, strategic merge and JSON patches, and the status subresource', async () => {
    await client.patch(Resources.pods, NS, 'db-1', 'application/merge-patch+json', { metadata: { labels: { app: 'db', tier: 'back' } } });
    await client.patch(Resources.pods, NS, 'db-1', 'application/strategic-merge-patch+json', { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } });
    await client.patch(Resources.pods, NS, 'db-1', 'application/json-patch+json', [{ op: 'add', path: '/metadata/annotations', value: { owner: 'team-a' } }]);
    const patched = await client.patch(Resources.pods, NS, 'db-1', 'application/merge-patch+json', { status: { phase: 'Running' } }, { subresource: 'status' });
    expect(patched).toMatchObject({ metadata: { labels: { app: 'db', tier: 'back' }, annotations: { owner: 'team-a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] }, status: { phase: 'Running' } });
    const unsupported = await failure(client.patch(Resources.pods, NS, 'db-1', 'text/plain' as never, {}));
    expect(unsupported.code).toBe(415);
    const dry = await client.patch(Resources.pods, NS, 'db-1', 'application/merge-patch+json', { metadata: { labels: { dry: 'run' } } }, { dryRun: true });
    expect(dry.metadata.labels).toMatchObject({ dry: 'run' });
    expect((await client.get(Resources.pods, NS, 'db-1')).metadata.labels).not.toHaveProperty('dry');
  });

  it('binds a pod to a node as the scheduler does: once, never twice', async () => {
    await client.create(Resources.pods, pod('to-bind'));
    const wrongUid = await failure(client.bind(NS, 'to-bind', 'node-1', { uid: 'not-the-uid' }));
    expect(wrongUid.code).toBe(409);
    const bound = await client.bind(NS, 'to-bind', 'node-1');
    expect(bound.spec?.nodeName).toBe('node-1');
    expect(bound.status?.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    const again = await failure(client.bind(NS, 'to-bind', 'node-2'));
    expect(again.status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(again.message).toContain('pod to-bind is already assigned to node "node-1"');
    expect(kubectl(apiserver.kubeconfig, ['get', 'pod', 'to-bind', '-n', NS, '-o', 'jsonpath={.spec.nodeName}']).stdout).toBe('node-1');
  });

  it('deletes: a pod on a node waits out its grace period, preconditions are checked, the rest goes at once', async () => {
    const graceful = await client.delete(Resources.pods, NS, 'to-bind');
    expect(graceful.finished).toBe(false);
    expect(graceful.object.metadata.deletionTimestamp).toBeDefined();
    const precondition = await failure(client.delete(Resources.pods, NS, 'web-1', { preconditions: { uid: 'someone-else' } }));
    expect(precondition.code).toBe(409);
    const gone = await client.delete(Resources.pods, NS, 'web-1');
    expect(gone).toMatchObject({ finished: true, object: { metadata: { name: 'web-1' } } });
    expect((await failure(client.get(Resources.pods, NS, 'web-1'))).code).toBe(404);
    const now = await client.delete(Resources.pods, NS, 'to-bind', { gracePeriodSeconds: 0 });
    expect(now.finished).toBe(true);
  });

  it('watch through a selector: objects entering the selection are ADDED, leaving it DELETED', async () => {
    const from = (await client.list(Resources.pods, { namespace: NS })).resourceVersion;
    const watch = client.watch(Resources.pods, { namespace: NS, labelSelector: 'app=cache', resourceVersion: from });
    const events: string[] = [];
    const reading = (async () => {
      for await (const event of watch) events.push(`${event.type} ${(event.object as KubeObject).metadata.name}`);
    })();
    await client.create(Resources.pods, pod('cache-1', { app: 'cache' }));
    await client.create(Resources.pods, pod('other', { app: 'other' }));
    kubectl(apiserver.kubeconfig, ['label', 'pod', 'other', '-n', NS, 'app=cache', '--overwrite']);
    kubectl(apiserver.kubeconfig, ['label', 'pod', 'cache-1', '-n', NS, 'app=gone', '--overwrite']);
    await client.patch(Resources.pods, NS, 'other', 'application/merge-patch+json', { metadata: { annotations: { seen: 'yes' } } });
    await waitFor(() => events.length >= 4, { what: 'four watch events' });
    watch.stop();
    await reading;
    expect(events).toEqual(['ADDED cache-1', 'ADDED other', 'DELETED cache-1', 'MODIFIED other']);
  });

  it('bookmarks tell a watch whose selector matches nothing how far the store has delivered', async () => {
    const from = (await client.list(Resources.pods, { namespace: NS })).resourceVersion;
    const watch = client.watch(Resources.pods, { namespace: NS, labelSelector: 'app=nothing', resourceVersion: from, allowBookmarks: true });
    const unseen = await client.create(Resources.pods, pod('unseen', { app: 'something' }));
    const events: WatchEvent[] = [];
    for await (const event of watch) {
      events.push(event);
      if (event.type !== 'BOOKMARK' || Number(event.object.metadata.resourceVersion) >= Number(unseen.metadata.resourceVersion)) watch.stop();
    }
    expect(events.every((e) => e.type === 'BOOKMARK')).toBe(true);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1' } });
    expect(Number((last.object as KubeObject).metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(unseen.metadata.resourceVersion));
  });

  it('a watch from "0" starts with the current objects; one from a compacted resourceVersion gets the 410 ERROR event', async () => {
    const initial = client.watch(Resources.namespaces, { resourceVersion: '0' });
    const names: string[] = [];
    for await (const event of initial) {
      names.push((event.object as KubeObject).metadata.name!);
      if (names.length === 5) initial.stop();
    }
    expect(names.sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system', NS]);

    const current = Number((await client.list(Resources.pods)).resourceVersion);
    const compact = etcdctl(store.endpoint, ['compact', String(current)]);
    expect(compact.stderr).toBe('');
    const expired = client.watch(Resources.pods, { resourceVersion: '2' });
    const events: WatchEvent[] = [];
    for await (const event of expired) events.push(event);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect((events[0]!.object as { message: string }).message).toMatch(/^too old resource version: 2 \(\d+\)$/);

    const invalid = client.watch(Resources.pods, { resourceVersion: 'abc' });
    const refused = await (async () => {
      for await (const _ of invalid) {
        /* nothing */
      }
    })().then(() => undefined, (error: unknown) => error as ApiError);
    expect(refused?.status).toMatchObject({ code: 400, message: 'invalid resource version: abc' });
  });
});
