/**
 * The JSON bytes of an object that many responses carry, encoded once. Objects from the watch
 * cache are shared by every watcher and every cached list and are never changed (see
 * storage/serialized.ts, which keeps their JSON text for REST lists), so an event fanned out to
 * five watchers, or a pod in every component's relist, is serialised once instead of once per
 * receiver. Only for such shared objects: one that is edited after being encoded here would be
 * sent as it was.
 */
const encoded = new WeakMap<object, Buffer>();

export function sharedObjectBytes(object: object): Buffer {
  let bytes = encoded.get(object);
  if (bytes === undefined) encoded.set(object, (bytes = Buffer.from(JSON.stringify(object))));
  return bytes;
}
