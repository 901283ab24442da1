import { fieldLabelNotSupportedMessage, parseFieldSelector, parseLabelSelector, SelectorParseError } from '@kubelab/apimachinery';
import { Errors } from '../errors';
import type { KubeObject, ResourceType } from '../registry/types';
import type { ObjectStore } from '../storage/object-store';

/** A test an object must pass to be listed or watched: the label and field selectors of the request. */
export type ObjectFilter = (object: KubeObject) => boolean;

/**
 * A watch event seen through a selector, as Kubernetes' watchers transform events: an object
 * that starts to match is ADDED, one that stops matching is DELETED (so a client's cache drops
 * it), one that never matched is not sent.
 */
export function selectEvent(event: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; previous?: KubeObject }, filter: ObjectFilter): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | undefined {
  const before = event.type !== 'ADDED' && event.previous !== undefined && filter(event.previous);
  if (event.type === 'DELETED') return before ? { type: 'DELETED', object: event.object } : undefined;
  if (filter(event.object)) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: { ...event.previous!, metadata: { ...event.previous!.metadata, resourceVersion: event.object.metadata.resourceVersion } } };
  return undefined;
}

/**
 * The filter for `labelSelector` and `fieldSelector`, parsed by @kubelab/apimachinery with
 * Kubernetes' grammar: a malformed selector, or a field the resource cannot select by, is a 400.
 */
export function objectFilter(type: ResourceType, labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  let labels: ReturnType<typeof parseLabelSelector>;
  let fields: ReturnType<typeof parseFieldSelector>;
  try {
    labels = parseLabelSelector(labelSelector ?? '');
    fields = parseFieldSelector(fieldSelector ?? '');
  } catch (error) {
    if (error instanceof SelectorParseError) throw Errors.badRequest(error.message);
    throw error;
  }
  const selectable = new Set(Object.keys(selectableFields(type, { metadata: {} } as KubeObject)));
  for (const r of fields.requirements) if (!selectable.has(r.field)) throw Errors.badRequest(fieldLabelNotSupportedMessage(r.field));
  // The hot path (a list of every pod) skips what no selector asks for.
  if (labels.isEmpty() && fields.isEmpty()) return () => true;
  if (fields.isEmpty()) return (object) => labels.matches(object.metadata.labels ?? {});
  return (object) => labels.matches(object.metadata.labels ?? {}) && fields.matches(selectableFields(type, object));
}

/**
 * A page of a list through a selector: with `limit`, pages are read until the page is full
 * (Kubernetes fills pages too). remainingItemCount is only known without a selector.
 */
export async function listSelected(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  options: { filter: ObjectFilter; selecting: boolean; limit: number; continue?: string },
): Promise<{ items: KubeObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }> {
  const limit = options.limit > 0 ? options.limit : 0;
  let continueToken = options.continue;
  const items: KubeObject[] = [];
  let list;
  do {
    list = await store.list(type, namespace, { limit: limit > 0 ? limit - items.length : 0, continue: continueToken });
    items.push(...list.items.filter(options.filter));
    continueToken = list.continue;
  } while (limit > 0 && items.length < limit && continueToken);
  const remainingItemCount = continueToken && !options.selecting ? list.remainingItemCount : undefined;
  return { items, resourceVersion: list.resourceVersion, continue: continueToken, remainingItemCount };
}

function selectableFields(type: ResourceType, object: KubeObject): Record<string, string> {
  return {
    'metadata.name': object.metadata.name ?? '',
    ...(type.namespaced ? { 'metadata.namespace': object.metadata.namespace ?? '' } : {}),
    ...(type.strategy.selectableFields?.(object) ?? {}),
  };
}
