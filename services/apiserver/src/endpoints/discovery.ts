import { RESOURCES, groupVersions } from '../registry/catalog';
import { groupVersion, type ResourceType } from '../registry/types';

/** The Kubernetes version this apiserver speaks (kubectl 1.32 is the client on these machines). */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubelab',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'node',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

/** GET /api: the legacy group's versions. */
export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string): object {
  const versions = groupVersions()
    .filter((gv) => gv.group === name)
    .map((gv) => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }));
  return { name, versions, preferredVersion: versions[0] };
}

/** GET /apis: every named group. */
export function apiGroupList(): object {
  const names = [...new Set(groupVersions().map((gv) => gv.group))].filter(Boolean);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map(apiGroup) };
}

/** GET /apis/<group>, or undefined if it is not served. */
export function apiGroupDocument(group: string): object | undefined {
  if (!groupVersions().some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** GET /api/v1 or /apis/<group>/<version>: the resources and subresources, with verbs. */
export function apiResourceList(group: string, version: string): object | undefined {
  const types = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((type) => [resourceEntry(type), ...subresourceEntries(type)]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

function resourceEntry(type: ResourceType): object {
  return {
    name: type.resource,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.resource === 'namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
    ...(type.shortNames ? { shortNames: type.shortNames } : {}),
    ...(type.categories ? { categories: type.categories } : {}),
  };
}

function subresourceEntries(type: ResourceType): object[] {
  return (type.subresources ?? []).map((sub) => {
    const base = { name: `${type.resource}/${sub}`, singularName: '', namespaced: type.namespaced };
    switch (sub) {
      case 'status':
        return { ...base, kind: type.kind, verbs: ['get', 'patch', 'update'] };
      case 'scale':
        return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
      case 'binding':
        return { ...base, kind: 'Binding', verbs: ['create'] };
      case 'eviction':
        return { ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
      case 'log':
        return { ...base, kind: type.kind, verbs: ['get'] };
      case 'proxy':
        return { ...base, kind: type.resource === 'nodes' ? 'NodeProxyOptions' : 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    }
  });
}
