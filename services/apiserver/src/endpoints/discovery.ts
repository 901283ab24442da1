import { goArch, goOS, KUBERNETES_GIT_VERSION } from '@kubelab/apimachinery';
import { RESOURCES, groupVersions } from '../registry/catalog';
import { groupVersion, type ResourceType } from '../registry/types';

/** The Kubernetes version this apiserver speaks (kubectl 1.32 is the client on these machines). */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: KUBERNETES_GIT_VERSION,
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'node',
  platform: `${goOS()}/${goArch()}`,
};

/** GET /api: the legacy group's versions. */
export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/**
 * A group version another server serves through the aggregation layer (an APIService with a
 * `spec.service`), with the priorities that order it among the groups and versions.
 */
export interface AggregatedGroupVersion {
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
}

/** Kubernetes' version order (version.CompareKubeAwareVersionStrings): v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > other. */
export function compareKubeAwareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { kube: false, major: 0, stage: 0, minor: 0 };
    return { kube: true, major: Number(m[1]), stage: m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3, minor: Number(m[3] ?? 0) };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.kube !== y.kube) return x.kube ? -1 : 1;
  if (!x.kube) return a < b ? -1 : a > b ? 1 : 0;
  if (x.stage === 3 && y.stage === 3) return y.major - x.major;
  if (x.stage === 3 || y.stage === 3) return x.stage === 3 ? -1 : 1;
  if (x.stage !== y.stage) return y.stage - x.stage;
  return x.major !== y.major ? y.major - x.major : y.minor - x.minor;
}

function apiGroup(name: string, aggregated: readonly AggregatedGroupVersion[]): object {
  const local = groupVersions()
    .filter((gv) => gv.group === name)
    .map((gv) => gv.version);
  // Served elsewhere: by versionPriority, then Kubernetes' version order (as the aggregator sorts them).
  const remote = aggregated
    .filter((gv) => gv.group === name && !local.includes(gv.version))
    .sort((a, b) => b.versionPriority - a.versionPriority || compareKubeAwareVersions(a.version, b.version))
    .map((gv) => gv.version);
  const versions = [...local, ...remote].map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions, preferredVersion: versions[0] };
}

/** GET /apis: every named group, this server's first, then those served through the aggregation layer. */
export function apiGroupList(aggregated: readonly AggregatedGroupVersion[] = []): object {
  const names = [...new Set(groupVersions().map((gv) => gv.group))].filter(Boolean);
  const remote = [...new Set([...aggregated].sort((a, b) => b.groupPriorityMinimum - a.groupPriorityMinimum || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)).map((gv) => gv.group))];
  for (const group of remote) if (group && !names.includes(group)) names.push(group);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map((name) => apiGroup(name, aggregated)) };
}

/** GET /apis/<group>, or undefined if it is not served (here or through the aggregation layer). */
export function apiGroupDocument(group: string, aggregated: readonly AggregatedGroupVersion[] = []): object | undefined {
  if (!groupVersions().some((gv) => gv.group === group) && !aggregated.some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, aggregated) };
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
    verbs: type.review ? ['create'] : type.resource === 'namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
    ...(type.shortNames ? { shortNames: type.shortNames } : {}),
    ...(type.categories ? { categories: type.categories } : {}),
  };
}

/**
 * A kind's subresources as a 1.32 apiserver lists them: by name (its installer sorts the paths),
 * the connect ones (exec, attach, portforward, proxy) with their options kind (PodExecOptions,
 * ServiceProxyOptions...).
 */
function subresourceEntries(type: ResourceType): object[] {
  return [...(type.subresources ?? [])].sort().map((sub) => {
    const base = { name: `${type.resource}/${sub}`, singularName: '', namespaced: type.namespaced };
    switch (sub) {
      case 'status':
        return { ...base, kind: type.kind, verbs: ['get', 'patch', 'update'] };
      case 'finalize':
        return { ...base, kind: type.kind, verbs: ['update'] };
      case 'ephemeralcontainers':
        return { ...base, kind: type.kind, verbs: ['get', 'patch', 'update'] };
      case 'scale':
        return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
      case 'binding':
        return { ...base, kind: 'Binding', verbs: ['create'] };
      case 'eviction':
        return { ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
      case 'log':
        return { ...base, kind: type.kind, verbs: ['get'] };
      case 'exec':
        return { ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] };
      case 'attach':
        return { ...base, kind: 'PodAttachOptions', verbs: ['create', 'get'] };
      case 'portforward':
        return { ...base, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
      case 'proxy':
        return { ...base, kind: `${type.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    }
  });
}
