import type { KubeObject, ObjectMeta } from '@kubelab/apimachinery';

export type { KubeObject, ObjectMeta };

/** A resource as the API names it (schema.GroupVersionResource): group '' is the core group. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** The resources the components use most, so a caller writes `Resources.pods`, not three strings. */
export const Resources = Object.freeze({
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  events: { group: '', version: 'v1', resource: 'events' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  serviceaccounts: { group: '', version: 'v1', resource: 'serviceaccounts' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  statefulsets: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  controllerrevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
  horizontalpodautoscalers: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  priorityclasses: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' },
  apiservices: { group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices' },
} satisfies Record<string, GroupVersionResource>);

/** `namespace/name`, or `name` for a cluster-scoped object: the key of caches and work queues (cache.MetaNamespaceKeyFunc). */
export function metaNamespaceKey(object: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** The inverse of metaNamespaceKey (cache.SplitMetaNamespaceKey). */
export function splitMetaNamespaceKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** What the library logs through: a pino logger (`logger.child({ component })`) fits. */
export interface ClientLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** For callers that pass no logger. */
export const silentLogger: ClientLogger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });
