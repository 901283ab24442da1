import {
  ApiError,
  failureStatus,
  newAlreadyExists,
  newApplyConflict,
  newBadRequest,
  newConflict,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  newOptimisticLockConflict,
  newRequestEntityTooLarge,
  newResourceExpired,
  newUnsupportedMediaType,
  type ApplyConflictError,
  type FieldError,
  type Status,
} from '@kubelab/apimachinery';
import type { ResourceType } from './registry/types';

export { ApiError, type FieldError, type Status };
export type FieldErrorList = FieldError[];

type Named = Pick<ResourceType, 'group' | 'resource'>;
const gr = (type: Named) => ({ group: type.group, resource: type.resource });

/** The media types a body may come in, as the apiserver lists them in a 415. */
const ACCEPTED = ['application/json', 'application/yaml', 'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/**
 * The errors the apiserver answers with, each a Kubernetes `Status` with its reason, code and
 * wording (built by @kubelab/apimachinery). Thrown anywhere; mapped to HTTP or gRPC at the edge.
 */
export const Errors = {
  notFound: (type: Named, name: string) => new ApiError(newNotFound(gr(type), name)),
  alreadyExists: (type: Named, name: string) => new ApiError(newAlreadyExists(gr(type), name)),
  conflict: (type: Named, name: string, why?: string) => new ApiError(why ? newConflict(gr(type), name, why) : newOptimisticLockConflict(gr(type), name)),
  invalid: (type: Pick<ResourceType, 'group' | 'kind'>, name: string, errors: FieldErrorList) => new ApiError(newInvalid({ group: type.group, kind: type.kind }, name, errors)),
  badRequest: (message: string) => new ApiError(newBadRequest(message)),
  /** 409 for a server-side apply that would change fields other managers set. */
  applyConflict: (error: ApplyConflictError) => new ApiError(newApplyConflict(error.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.field })), error.message)),
  methodNotSupported: (type: Named, action: string) => new ApiError(newMethodNotSupported(gr(type), action)),
  expired: (message: string) => new ApiError(newResourceExpired(message)),
  tooLarge: (message = 'limit is 3145728') => new ApiError(newRequestEntityTooLarge(message)),
  unsupportedMediaType: () => new ApiError(newUnsupportedMediaType(ACCEPTED)),
  notFoundPath: () => new ApiError(failureStatus(404, 'NotFound', 'the server could not find the requested resource', {})),
  internal: (error: unknown) => new ApiError(newInternalError(error instanceof Error ? error : String(error))),
  /** What Kubernetes answers for an error that is not a Status: a 500 with no reason and the error's text. */
  unstructured: (message: string) => new ApiError(failureStatus(500, '', message)),
};
