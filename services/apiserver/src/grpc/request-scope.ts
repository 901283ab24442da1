import type { WritableSubresource } from '../registry/generic-registry';
import type { ResourceFields } from '@kubelab/proto';
import { Errors } from '../errors';
import { parseJson } from '../endpoints/http-io';
import { lookup } from '../registry/catalog';
import type { ResourceType } from '../registry/types';

/** What a request names: the resource type and the namespace it works in (undefined: cluster-wide). */
export interface RequestScope {
  type: ResourceType;
  namespace: string | undefined;
}

/**
 * Resolves group/version/resource and namespace as the REST router resolves a path: an unknown
 * resource, or a namespace on a cluster-scoped one, is the REST API's 404 for an unknown path.
 * `namespaceRequired` is for verbs on one object: a namespaced resource then needs a namespace
 * (over REST the path always has one; here a forgotten field would otherwise act on nothing).
 */
export function requestScope(request: ResourceFields & { namespace: string }, namespaceRequired: boolean): RequestScope {
  const type = lookup(request.group, request.version, request.resource);
  if (!type) throw Errors.notFoundPath();
  if (!type.namespaced) {
    if (request.namespace) throw Errors.notFoundPath();
    return { type, namespace: undefined };
  }
  if (namespaceRequired && !request.namespace) throw Errors.badRequest(`${request.resource} are namespaced: the request needs a namespace`);
  return { type, namespace: request.namespace || undefined };
}

/** A subresource the resource serves, or the REST API's 404. */
export function checkSubresource(type: ResourceType, subresource: string): WritableSubresource | undefined {
  if (!subresource) return undefined;
  if ((subresource !== 'status' && subresource !== 'finalize') || !(type.subresources ?? []).includes(subresource)) throw Errors.notFoundPath();
  return subresource;
}

/** The object in a request: its JSON, decoded with the REST API's 400 for bad JSON. */
export function decodeObject(bytes: Uint8Array, what = 'the object'): unknown {
  // The codec hands a Buffer view into the message: read it in place, no copy.
  return parseJson(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), what);
}

export function encodeObject(object: unknown): Buffer {
  return Buffer.from(JSON.stringify(object));
}
