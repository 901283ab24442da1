/**
 * Builders for the `Status` objects a Kubernetes apiserver answers errors with,
 * worded as k8s.io/apimachinery/pkg/api/errors (errors.go) and the apiserver's
 * handlers word them. Property order follows Go's JSON output.
 */
import { aggregateMessage, type FieldError } from './field-error';
import { goQuote } from './go-format';

export type StatusReason =
  | ''
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'StoreReadError'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

export interface StatusCause {
  /** The cause type, e.g. `FieldValueInvalid` (JSON name `reason`). */
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A resource, e.g. `{ resource: 'deployments', group: 'apps' }`. */
export interface GroupResource {
  group?: string;
  resource: string;
}

/** A kind, e.g. `{ kind: 'Deployment', group: 'apps' }`. */
export interface GroupKind {
  group?: string;
  kind: string;
}

/** The message Kubernetes gives when a resourceVersion precondition fails. */
export const OPTIMISTIC_LOCK_ERROR_MSG =
  'the object has been modified; please apply your changes to the latest version and try again';

/** `pods`, or `deployments.apps` (schema.GroupResource.String). */
export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** `Pod`, or `Deployment.apps` (schema.GroupKind.String). */
export function groupKindString(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

const quote = (s: string): string => goQuote(s);

/** Details with Go's omitempty: empty strings, zero and empty lists are left out. */
function details(d: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number }): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** A Failure status; `details` is left out when not given. */
export function failureStatus(code: number, reason: StatusReason, message: string, statusDetails?: StatusDetails): Status {
  // Built field by field so that JSON.stringify emits Go's field order (code last).
  const s = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' } as Status;
  if (message) s.message = message;
  if (reason) s.reason = reason;
  if (statusDetails) s.details = statusDetails;
  s.code = code;
  return s;
}

function errText(err: Error | string): string {
  return typeof err === 'string' ? err : err.message;
}

/** 404 `pods "x" not found`. */
export function newNotFound(gr: GroupResource, name: string): Status {
  return failureStatus(404, 'NotFound', `${groupResourceString(gr)} ${quote(name)} not found`,
    details({ name, group: gr.group, kind: gr.resource }));
}

/** 409 `pods "x" already exists`. */
export function newAlreadyExists(gr: GroupResource, name: string): Status {
  return failureStatus(409, 'AlreadyExists', `${groupResourceString(gr)} ${quote(name)} already exists`,
    details({ name, group: gr.group, kind: gr.resource }));
}

/** 409 when generateName could not find a free name. */
export function newGenerateNameConflict(gr: GroupResource, name: string, retryAfterSeconds: number): Status {
  return failureStatus(409, 'AlreadyExists',
    `${groupResourceString(gr)} ${quote(name)} already exists, the server was not able to generate a unique name for the object`,
    details({ name, group: gr.group, kind: gr.resource, retryAfterSeconds }));
}

/** 409 `Operation cannot be fulfilled on pods "x": <err>`. */
export function newConflict(gr: GroupResource, name: string, err: Error | string): Status {
  return failureStatus(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} ${quote(name)}: ${errText(err)}`,
    details({ name, group: gr.group, kind: gr.resource }));
}

/** 409 for a stale resourceVersion: `... the object has been modified; please apply ...`. */
export function newOptimisticLockConflict(gr: GroupResource, name: string): Status {
  return newConflict(gr, name, OPTIMISTIC_LOCK_ERROR_MSG);
}

/** 409 for server-side apply field conflicts. */
export function newApplyConflict(causes: StatusCause[], message: string): Status {
  return failureStatus(409, 'Conflict', message, details({ causes }));
}

/**
 * 422 `Pod "x" is invalid: spec.containers[0].image: Required value`, or with
 * several errors `Pod "x" is invalid: [a, b]`. Each error becomes a cause.
 */
export function newInvalid(gk: GroupKind, name: string, errs: readonly FieldError[]): Status {
  const causes: StatusCause[] = errs.map((e) => {
    const c: StatusCause = { reason: e.type };
    const body = e.errorBody();
    if (body) c.message = body;
    if (e.field) c.field = e.field;
    return c;
  });
  const agg = aggregateMessage(errs);
  const head = `${groupKindString(gk)} ${quote(name)} is invalid`;
  return failureStatus(422, 'Invalid', agg === undefined ? head : `${head}: ${agg}`,
    details({ name, group: gk.group, kind: gk.kind, causes }));
}

/** 400 with the given message. */
export function newBadRequest(reason: string): Status {
  return failureStatus(400, 'BadRequest', reason);
}

/** 401; `not authorized` when no reason is given. */
export function newUnauthorized(reason = ''): Status {
  return failureStatus(401, 'Unauthorized', reason || 'not authorized');
}

/**
 * 403 `pods "x" is forbidden: <err>`; `pods is forbidden: <err>` without a
 * name; `forbidden: <err>` without a resource.
 */
export function newForbidden(gr: GroupResource, name: string, err: Error | string): Status {
  const text = errText(err);
  let message: string;
  if (!gr.group && !gr.resource) message = `forbidden: ${text}`;
  else if (!name) message = `${groupResourceString(gr)} is forbidden: ${text}`;
  else message = `${groupResourceString(gr)} ${quote(name)} is forbidden: ${text}`;
  return failureStatus(403, 'Forbidden', message, details({ name, group: gr.group, kind: gr.resource }));
}

/** What an authorizer denied, for {@link forbiddenMessage}. */
export interface ForbiddenAttributes {
  user: string;
  verb: string;
  /** Absent for a non-resource request (then `path` is used). */
  resource?: string;
  subresource?: string;
  group?: string;
  namespace?: string;
  path?: string;
}

/**
 * The apiserver's wording of an authorization denial, the `<err>` of
 * {@link newForbidden}: `User "bob" cannot list resource "pods" in API group ""
 * in the namespace "default"`, `... at the cluster scope`, or
 * `User "bob" cannot get path "/metrics"`.
 */
export function forbiddenMessage(a: ForbiddenAttributes): string {
  if (a.resource === undefined) return `User ${quote(a.user)} cannot ${a.verb} path ${quote(a.path ?? '')}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const head = `User ${quote(a.user)} cannot ${a.verb} resource ${quote(resource)} in API group ${quote(a.group ?? '')}`;
  return a.namespace ? `${head} in the namespace ${quote(a.namespace)}` : `${head} at the cluster scope`;
}

/** 405 `<action> is not supported on resources of kind "pods"`. */
export function newMethodNotSupported(gr: GroupResource, action: string): Status {
  return failureStatus(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${quote(groupResourceString(gr))}`,
    details({ group: gr.group, kind: gr.resource }));
}

/** 410 reason Gone (deprecated by Kubernetes in favour of Expired). */
export function newGone(message: string): Status {
  return failureStatus(410, 'Gone', message);
}

/** 410 reason Expired, e.g. for a watch from a compacted resourceVersion. */
export function newResourceExpired(message: string): Status {
  return failureStatus(410, 'Expired', message);
}

/** 410 Expired `too old resource version: 5 (10)`. */
export function newTooOldResourceVersion(requested: number | bigint, oldest: number | bigint): Status {
  return newResourceExpired(`too old resource version: ${requested} (${oldest})`);
}

/** 413 `Request entity too large: <message>`. */
export function newRequestEntityTooLarge(message: string): Status {
  return failureStatus(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 415 for a request body in a media type the endpoint does not take. */
export function newUnsupportedMediaType(accepted: readonly string[]): Status {
  return failureStatus(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** 406 for an Accept header the server cannot satisfy. */
export function newNotAcceptable(accepted: readonly string[]): Status {
  return failureStatus(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** 429 with the message as given (apierrors.NewTooManyRequests). */
export function newTooManyRequests(message: string, retryAfterSeconds: number): Status {
  return failureStatus(429, 'TooManyRequests', message, details({ retryAfterSeconds }));
}

/** 429 `Too many requests: <message>` (apierrors.NewTooManyRequestsError). */
export function newTooManyRequestsError(message: string): Status {
  return failureStatus(429, 'TooManyRequests', `Too many requests: ${message}`);
}

/** 500 `Internal error occurred: <err>`. */
export function newInternalError(err: Error | string): Status {
  const text = errText(err);
  return failureStatus(500, 'InternalError', `Internal error occurred: ${text}`, details({ causes: [{ message: text }] }));
}

/** 504 `Timeout: <message>`. */
export function newTimeout(message: string, retryAfterSeconds = 0): Status {
  return failureStatus(504, 'Timeout', `Timeout: ${message}`, details({ retryAfterSeconds }));
}

/** 500 ServerTimeout `The <op> operation against <resource> could not be completed at this time, please try again.` */
export function newServerTimeout(gr: GroupResource, operation: string, retryAfterSeconds: number): Status {
  return failureStatus(500, 'ServerTimeout',
    `The ${operation} operation against ${groupResourceString(gr)} could not be completed at this time, please try again.`,
    details({ name: operation, group: gr.group, kind: gr.resource, retryAfterSeconds }));
}

/** 503 with the given message. */
export function newServiceUnavailable(reason: string): Status {
  return failureStatus(503, 'ServiceUnavailable', reason);
}
