import { Errors } from '../../errors';
import type { KubeObject, ResourceType } from '../../registry/types';
import type { ObjectStore } from '../object-store';

/**
 * Objects in memory, written as the object store writes them: an update whose result is the
 * stored object byte for byte writes nothing. `createDelayMs` holds each create back, as a slow
 * store would, so two concurrent creates overlap.
 */
export function memoryStore(options: { createDelayMs?: number } = {}): ObjectStore {
  const objects = new Map<string, KubeObject>([['namespaces//default', { metadata: { name: 'default' }, status: { phase: 'Active' } } as KubeObject]]);
  let revision = 0;
  const key = (type: ResourceType, namespace: string | undefined, name: string) => `${type.resource}/${namespace ?? ''}/${name}`;
  const get = async (type: ResourceType, namespace: string | undefined, name: string) => {
    const found = objects.get(key(type, namespace, name));
    if (!found) throw Errors.notFound(type, name);
    return structuredClone(found);
  };
  const items = (type: ResourceType, namespace?: string) => [...objects.entries()].filter(([k, o]) => k.startsWith(`${type.resource}/`) && (!namespace || o.metadata.namespace === namespace)).map(([, o]) => structuredClone(o));
  const store = {
    get,
    getCached: get,
    list: async (type: ResourceType, namespace: string | undefined) => ({ items: items(type, namespace), resourceVersion: String(revision) }),
    listCached: async (type: ResourceType) => items(type),
    create: async (type: ResourceType, object: KubeObject) => {
      if (options.createDelayMs) await new Promise((resolve) => setTimeout(resolve, options.createDelayMs));
      const k = key(type, object.metadata.namespace, object.metadata.name!);
      if (objects.has(k)) throw Errors.alreadyExists(type, object.metadata.name!);
      object.metadata.resourceVersion = String(++revision);
      objects.set(k, structuredClone(object));
      return structuredClone(object);
    },
    update: async (type: ResourceType, namespace: string | undefined, name: string, change: (current: KubeObject) => Promise<KubeObject>) => {
      const current = await get(type, namespace, name);
      const next = await change(structuredClone(current));
      if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion) throw Errors.conflict(type, name);
      const { resourceVersion: _a, ...a } = next.metadata;
      const { resourceVersion: _b, ...b } = current.metadata;
      if (JSON.stringify({ ...next, metadata: a }) === JSON.stringify({ ...current, metadata: b })) return current;
      next.metadata.resourceVersion = String(++revision);
      objects.set(key(type, namespace, name), structuredClone(next));
      return structuredClone(next);
    },
    delete: async (type: ResourceType, namespace: string | undefined, name: string) => {
      const current = await get(type, namespace, name);
      objects.delete(key(type, namespace, name));
      return current;
    },
  };
  return store as unknown as ObjectStore;
}
