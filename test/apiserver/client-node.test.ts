import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The official @kubernetes/client-node against the apiserver: typed CRUD, a raw watch, and the
 * library's informer (list + watch + cache). The library is ESM-only, hence the dynamic import.
 */
type K8s = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });

let k8s: K8s;
let store: ServerProcess;
let apiserver: ApiserverProcess;
let kc: InstanceType<K8s['KubeConfig']>;

beforeAll(async () => {
  k8s = await import('@kubernetes/client-node');
  store = await startKubelabStore();
  apiserver = await startKubelabApiserver(store.endpoint);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(apiserver.kubeconfig);
});

afterAll(async () => {
  await apiserver?.stop();
  await store?.stop();
});

describe('@kubernetes/client-node against the apiserver', () => {
  it('creates, reads, lists by label, replaces, patches and deletes a ConfigMap', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings', labels: { app: 'shop' } }, data: { color: 'blue' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    const read = await core.readNamespacedConfigMap({ namespace: 'default', name: 'settings' });
    expect(read.data).toEqual({ color: 'blue' });
    const listed = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=shop' });
    expect(listed.items.map((cm) => cm.metadata?.name)).toEqual(['settings']);
    expect((await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=other' })).items).toEqual([]);
    const replaced = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'settings', body: { ...read, data: { color: 'green' } } });
    expect(replaced.data).toEqual({ color: 'green' });
    // A replace carrying the old resourceVersion loses the race: 409 Conflict.
    await expect(core.replaceNamespacedConfigMap({ namespace: 'default', name: 'settings', body: { ...read, data: { color: 'red' } } })).rejects.toMatchObject({ code: 409 });
    const patched = await core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'settings', body: { data: { size: 'L' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ color: 'green', size: 'L' });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'settings' });
    await expect(core.readNamespacedConfigMap({ namespace: 'default', name: 'settings' })).rejects.toMatchObject({ code: 404 });
  });

  it('creates a Deployment with defaults filled in, and gets 422 for an invalid one', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const deployment = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
      },
    });
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy?.type).toBe('RollingUpdate');
    expect(deployment.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    await expect(
      apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'broken' }, spec: { replicas: -1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } }),
    ).rejects.toMatchObject({ code: 422 });
  });

  it('watches ConfigMaps: ADDED, MODIFIED and DELETED in order', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    const request = await watch.watch('/api/v1/namespaces/default/configmaps', {}, (type: string, object: { metadata?: { name?: string } }) => {
      if (object.metadata?.name === 'watched') events.push(type);
    }, () => {});
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { a: '1' } } });
      await core.patchNamespacedConfigMap({ namespace: 'default', name: 'watched', body: { data: { a: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
      await waitFor(() => events.length >= 3, { timeoutMs: 10_000, what: 'three watch events' });
      expect(events).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    } finally {
      request.abort();
    }
  });

  it("the library's informer lists, then follows every change in its cache", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (cm) => seen.push(`add ${cm.metadata?.name}`));
    informer.on('update', (cm) => seen.push(`update ${cm.metadata?.name}`));
    informer.on('delete', (cm) => seen.push(`delete ${cm.metadata?.name}`));
    await informer.start();
    try {
      expect(informer.get('before', 'default')?.metadata?.name).toBe('before');
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after' }, data: { v: '1' } } });
      await core.patchNamespacedConfigMap({ namespace: 'default', name: 'after', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'before' });
      await waitFor(() => seen.includes('delete before') && informer.get('after', 'default')?.data?.v === '2', { timeoutMs: 10_000, what: 'the informer to catch up' });
      expect(informer.list('default').map((cm) => cm.metadata?.name)).toEqual(['after']);
      expect(seen).toEqual(['add before', 'add after', 'update after', 'delete before']);
    } finally {
      await informer.stop();
    }
  });
});
