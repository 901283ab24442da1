import * as grpc from '@grpc/grpc-js';
import { ApiError, failureStatus, type Status } from '@kubelab/apimachinery';
import { STATUS_METADATA_KEY } from '@kubelab/proto';

/**
 * The apiserver could not be reached (down, restarting, or not answering in time): no Kubernetes
 * Status to report, only that the call did not get through. Safe to retry; informers and leader
 * election do so with back-off.
 */
export class ApiserverUnavailableError extends Error {
  override readonly name = 'ApiserverUnavailableError';
  constructor(
    readonly target: string,
    readonly grpcCode: grpc.status,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isApiserverUnavailable(error: unknown): error is ApiserverUnavailableError {
  return error instanceof ApiserverUnavailableError;
}

/**
 * Turns what a call failed with into the error a component handles: the apiserver's Kubernetes
 * Status (from the trailing metadata) as the same ApiError the REST API would give (isNotFound,
 * isConflict... work on it), a connection problem as ApiserverUnavailableError, and anything
 * else (a server that does not speak the object API) as a 500 ApiError.
 */
export function toClientError(error: unknown, target: string): Error {
  const serviceError = error as Partial<grpc.ServiceError>;
  if (typeof serviceError?.code !== 'number') return error instanceof Error ? error : new Error(String(error));
  const status = statusFrom(serviceError.metadata);
  if (status) return new ApiError(status);
  // grpc-js appends an empty "Resolution note:" to connection errors; it says nothing here.
  const details = (serviceError.details || serviceError.message || grpc.status[serviceError.code] || '').replace(/\.?\s*Resolution note:\s*$/, '');
  switch (serviceError.code) {
    case grpc.status.UNAVAILABLE:
      return new ApiserverUnavailableError(target, serviceError.code, `the object API at ${target} is unavailable: ${details}`, { cause: error });
    case grpc.status.DEADLINE_EXCEEDED:
      return new ApiserverUnavailableError(target, serviceError.code, `the object API at ${target} did not answer in time: ${details}`, { cause: error });
    case grpc.status.CANCELLED:
      return new ApiserverUnavailableError(target, serviceError.code, `the call to ${target} was cancelled: ${details}`, { cause: error });
    default:
      return new ApiError(failureStatus(500, 'InternalError', `an error on the server (${JSON.stringify(details)}) has prevented the request from succeeding (grpc ${grpc.status[serviceError.code] ?? serviceError.code})`));
  }
}

/** The Kubernetes Status the apiserver attached to a failed call, if any. */
function statusFrom(metadata: grpc.Metadata | undefined): Status | undefined {
  const value = metadata?.get(STATUS_METADATA_KEY)[0];
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.isBuffer(value) ? value.toString('utf8') : String(value)) as Status;
    return parsed && parsed.kind === 'Status' && typeof parsed.code === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
