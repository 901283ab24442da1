import { Resources, type GroupVersionResource } from '@kubelab/client';

/** A resource whose objects can own others or be owned (what discovery tells Kubernetes' GC). */
export interface GarbageCollectedResource {
  resource: GroupVersionResource;
  kind: string;
  namespaced: boolean;
}

/**
 * The resources the garbage collector watches: owners and dependents alike. Kubernetes' GC finds
 * them by discovery (every resource that can be listed, watched and deleted, but events); here
 * they are data. One the apiserver does not serve (yet) is left out until it does.
 */
export const GARBAGE_COLLECTED_RESOURCES: readonly GarbageCollectedResource[] = [
  { resource: Resources.pods, kind: 'Pod', namespaced: true },
  { resource: Resources.services, kind: 'Service', namespaced: true },
  { resource: Resources.configmaps, kind: 'ConfigMap', namespaced: true },
  { resource: Resources.secrets, kind: 'Secret', namespaced: true },
  { resource: Resources.nodes, kind: 'Node', namespaced: false },
  { resource: Resources.deployments, kind: 'Deployment', namespaced: true },
  { resource: Resources.replicasets, kind: 'ReplicaSet', namespaced: true },
  { resource: Resources.daemonsets, kind: 'DaemonSet', namespaced: true },
  { resource: Resources.statefulsets, kind: 'StatefulSet', namespaced: true },
  { resource: { group: 'apps', version: 'v1', resource: 'controllerrevisions' }, kind: 'ControllerRevision', namespaced: true },
  { resource: Resources.endpointslices, kind: 'EndpointSlice', namespaced: true },
  { resource: Resources.leases, kind: 'Lease', namespaced: true },
];

/** "apps/v1", or "v1" for the core group. */
export function apiVersionOf(resource: GroupVersionResource): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The group of an apiVersion ("apps/v1" → "apps", "v1" → ""). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
