import type { KubeObject } from '../registry/types';

/**
 * The JSON text of an object, computed once per object: objects from the watch cache are shared
 * and never changed, so a list of 10,000 pods is joined from ready strings instead of being
 * serialized again on every request.
 */
const texts = new WeakMap<object, string>();

export function serialized(object: KubeObject): string {
  let text = texts.get(object);
  if (text === undefined) texts.set(object, (text = JSON.stringify(object)));
  return text;
}

/** A `<Kind>List` body from objects' texts. */
export function serializedList(kind: string, apiVersion: string, metadata: Record<string, unknown>, items: KubeObject[]): string {
  return `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[${items.map(serialized).join(',')}]}`;
}
