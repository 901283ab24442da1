/**
 * An error that carries a Kubernetes `Status`, so code anywhere can `throw` it
 * and the HTTP layer turns it into the response at the edge (the role of
 * StatusError in k8s.io/apimachinery/pkg/api/errors).
 */
import { failureStatus, newInternalError, type Status, type StatusReason } from './status';

export class ApiError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? '');
    this.name = 'ApiError';
    this.status = status;
  }

  /** The HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** The Status reason, `''` when unknown. */
  get reason(): StatusReason {
    return this.status.reason ?? '';
  }

  /** A copy of the Status, ready to serialize as the response body. */
  toStatus(): Status {
    return structuredClone(this.status);
  }
}

/** Whether a thrown value is an ApiError. */
export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** The reason of an ApiError, `''` for anything else. */
export function reasonForError(err: unknown): StatusReason {
  return isApiError(err) ? err.reason : '';
}

/**
 * The Status to answer a thrown value with, as the apiserver does: an
 * ApiError's own Status; any other error as a 500 with no reason and the
 * error's text as message (what Kubernetes does with errors that are not a
 * Status). Use {@link newInternalError} instead for an `Internal error occurred:` answer.
 */
export function errorToStatus(err: unknown): Status {
  if (isApiError(err)) return err.toStatus();
  const message = err instanceof Error ? err.message : String(err);
  return failureStatus(500, '', message);
}

/** Wraps any thrown value as an ApiError with a 500 InternalError Status. */
export function internalApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  return new ApiError(newInternalError(err instanceof Error ? err : String(err)));
}

function hasReason(err: unknown, reason: StatusReason, code: number): boolean {
  if (!isApiError(err)) return false;
  // As Kubernetes' Is* helpers: the reason decides; the code only when the reason is unknown.
  return err.reason === reason || (err.reason === '' && err.code === code);
}

export const isNotFound = (err: unknown): boolean => hasReason(err, 'NotFound', 404);
export const isAlreadyExists = (err: unknown): boolean => isApiError(err) && err.reason === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => hasReason(err, 'Conflict', 409);
export const isInvalid = (err: unknown): boolean => hasReason(err, 'Invalid', 422);
export const isBadRequest = (err: unknown): boolean => hasReason(err, 'BadRequest', 400);
export const isForbidden = (err: unknown): boolean => hasReason(err, 'Forbidden', 403);
export const isResourceExpired = (err: unknown): boolean => isApiError(err) && err.reason === 'Expired';
export const isGone = (err: unknown): boolean => hasReason(err, 'Gone', 410);
