import { ApiError, newForbidden } from '@kubelab/apimachinery';
import type { ObjectStore } from '../../storage/object-store';
import { namespaces } from '../resources/namespaces';
import type { ResourceType } from '../types';

/**
 * The NamespaceLifecycle admission plugin, on create: no new objects in a namespace that is
 * missing (404 `namespaces "nope" not found`) or going away (403 `pods "x" is forbidden: unable
 * to create new content in namespace team-a because it is being terminated`, admission.NewForbidden,
 * with the NamespaceTerminating cause controllers look for). `name` is the object's name as
 * admission sees it: before a generateName is drawn, so the prefix then, or "Unknown".
 */
export async function admitNamespaceLifecycle(store: ObjectStore, type: Pick<ResourceType, 'group' | 'resource'>, namespace: string, name: string): Promise<void> {
  const ns = await store.getCached(namespaces, undefined, namespace);
  if (!ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating') return;
  const status = newForbidden({ group: type.group, resource: type.resource }, name || 'Unknown', `unable to create new content in namespace ${namespace} because it is being terminated`);
  status.details = { ...status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] };
  throw new ApiError(status);
}
