/**
 * The messages of proto/kubelab/objects.proto as they look in JavaScript with
 * OBJECTS_PROTO_OPTIONS (camelCase, int64 as number, enums by name). Objects are the JSON bytes
 * of the Kubernetes object; `Buffer` on receipt, any `Uint8Array` when sending.
 */

/** Which resource, as in a REST path: group '' is the core group. */
export interface ResourceFields {
  group: string;
  version: string;
  resource: string;
}

export interface GetRequest extends ResourceFields {
  namespace: string;
  name: string;
}

export interface ListRequest extends ResourceFields {
  namespace: string;
  labelSelector: string;
  fieldSelector: string;
  limit: number;
  continue: string;
}

export interface ListResponse {
  items: Uint8Array[];
  resourceVersion: string;
  continue: string;
  remainingItemCount: number;
}

export interface WatchRequest extends ResourceFields {
  namespace: string;
  labelSelector: string;
  fieldSelector: string;
  resourceVersion: string;
  allowBookmarks: boolean;
  timeoutSeconds: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType | 'EVENT_TYPE_UNSPECIFIED';
  object: Uint8Array;
}

export interface CreateRequest extends ResourceFields {
  namespace: string;
  object: Uint8Array;
  dryRun: boolean;
}

export interface UpdateRequest extends ResourceFields {
  namespace: string;
  name: string;
  object: Uint8Array;
  dryRun: boolean;
}

/** Kubernetes' types.PatchType: the Content-Type of a REST PATCH. */
export type PatchType = 'application/json-patch+json' | 'application/merge-patch+json' | 'application/strategic-merge-patch+json';

export interface PatchRequest extends ResourceFields {
  namespace: string;
  name: string;
  patchType: PatchType | string;
  patch: Uint8Array;
  subresource: '' | 'status' | string;
  dryRun: boolean;
}

export interface Preconditions {
  uid: string;
  resourceVersion: string;
}

export interface DeleteRequest extends ResourceFields {
  namespace: string;
  name: string;
  /** Absent: the object's own grace period. */
  gracePeriodSeconds?: number;
  propagationPolicy: '' | 'Orphan' | 'Background' | 'Foreground' | string;
  preconditions: Preconditions | null;
  dryRun: boolean;
}

export interface DeleteResponse {
  object: Uint8Array;
  /** true: gone; false: deletion started (deletionTimestamp set, finalizers or grace pending). */
  finished: boolean;
}

export interface BindRequest {
  namespace: string;
  name: string;
  nodeName: string;
  uid: string;
  dryRun: boolean;
}

export interface ObjectResponse {
  object: Uint8Array;
}
