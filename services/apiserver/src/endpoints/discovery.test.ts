import { describe, expect, it } from 'vitest';
import { apiResourceList } from './discovery';

interface Entry {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
}

const core = () => (apiResourceList('', 'v1') as { resources: Entry[] }).resources;
const byName = (name: string) => core().find((r) => r.name === name);
const connect = ['create', 'get'];
const proxy = ['create', 'delete', 'get', 'patch', 'update'];

describe('/api/v1 discovery', () => {
  it('lists the pod subresources as a 1.32 apiserver does, by name after pods', () => {
    const names = core().map((r) => r.name);
    const pods = names.indexOf('pods');
    expect(names.slice(pods, pods + 10)).toEqual(['pods', 'pods/attach', 'pods/binding', 'pods/ephemeralcontainers', 'pods/eviction', 'pods/exec', 'pods/log', 'pods/portforward', 'pods/proxy', 'pods/status']);
    expect(byName('pods/exec')).toEqual({ name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: connect });
    expect(byName('pods/attach')).toEqual({ name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: connect });
    expect(byName('pods/portforward')).toEqual({ name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: connect });
    expect(byName('pods/proxy')).toEqual({ name: 'pods/proxy', singularName: '', namespaced: true, kind: 'PodProxyOptions', verbs: proxy });
    expect(byName('pods/log')).toEqual({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    expect(byName('pods/eviction')).toEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  });

  it('lists services/proxy and nodes/proxy with their options kinds', () => {
    expect(byName('services/proxy')).toEqual({ name: 'services/proxy', singularName: '', namespaced: true, kind: 'ServiceProxyOptions', verbs: proxy });
    expect(byName('nodes/proxy')).toEqual({ name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: proxy });
  });

  it('keeps the resources themselves in their order, each followed by its subresources sorted', () => {
    const names = core().map((r) => r.name);
    // What `kubectl api-resources` prints comes from these, in this order (it drops the subresources).
    expect(names.filter((n) => !n.includes('/'))).toEqual(['namespaces', 'pods', 'services', 'endpoints', 'nodes', 'events', 'configmaps', 'secrets', 'serviceaccounts']);
    expect(names.filter((n) => n.startsWith('namespaces/'))).toEqual(['namespaces/finalize', 'namespaces/status']);
    const apps = (apiResourceList('apps', 'v1') as { resources: Entry[] }).resources.map((r) => r.name);
    expect(apps.filter((n) => n.startsWith('deployments/'))).toEqual(['deployments/scale', 'deployments/status']);
  });
});
