import { Resources, type GroupVersionResource } from '@kubelab/client';

/** A resource whose objects can own others or be owned (what discovery tells Kubernetes' GC). */
export interface GarbageCollectedResource {
  resource: GroupVersionResource;
  kind: string;
  namespaced: boolean;
}

/**
 * The resources the garbage collector watches: owners and dependents alike. Kubernetes' GC finds
 * them by discovery: every resource that can be listed, watched and deleted, at its group's
 * preferred version, but events (DefaultIgnoredResources), cluster-scoped ones included. Here
 * they are data: what kubelab's apiserver serves, less the events and the create-only reviews.
 * One the apiserver does not serve (yet) is skipped until it does.
 */
export const GARBAGE_COLLECTED_RESOURCES: readonly GarbageCollectedResource[] = [
  { resource: Resources.namespaces, kind: 'Namespace', namespaced: false },
  { resource: Resources.pods, kind: 'Pod', namespaced: true },
  { resource: Resources.services, kind: 'Service', namespaced: true },
  { resource: Resources.endpoints, kind: 'Endpoints', namespaced: true },
  { resource: Resources.nodes, kind: 'Node', namespaced: false },
  { resource: Resources.configmaps, kind: 'ConfigMap', namespaced: true },
  { resource: Resources.secrets, kind: 'Secret', namespaced: true },
  { resource: Resources.serviceaccounts, kind: 'ServiceAccount', namespaced: true },
  { resource: Resources.apiservices, kind: 'APIService', namespaced: false },
  { resource: Resources.deployments, kind: 'Deployment', namespaced: true },
  { resource: Resources.replicasets, kind: 'ReplicaSet', namespaced: true },
  { resource: Resources.daemonsets, kind: 'DaemonSet', namespaced: true },
  { resource: Resources.statefulsets, kind: 'StatefulSet', namespaced: true },
  { resource: Resources.controllerrevisions, kind: 'ControllerRevision', namespaced: true },
  // autoscaling/v2, the group's preferred version; an owner reference to autoscaling/v1 finds it too (by group and kind).
  { resource: Resources.horizontalpodautoscalers, kind: 'HorizontalPodAutoscaler', namespaced: true },
  { resource: Resources.leases, kind: 'Lease', namespaced: true },
  { resource: Resources.endpointslices, kind: 'EndpointSlice', namespaced: true },
  { resource: Resources.priorityclasses, kind: 'PriorityClass', namespaced: false },
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
