import { ApiError, failureStatus, type Status } from '@kubelab/apimachinery';
import { Code, codeName, grpcError, STATUS_METADATA_KEY, type GrpcError } from '@kubelab/proto';

/**
 * The apiserver could not be reached (down, restarting, or not answering in time): no Kubernetes
 * Status to report, only that the call did not get through. Safe to retry; informers and leader
 * election do so with back-off.
 */
export class ApiserverUnavailableError extends Error {
  override readonly name = 'ApiserverUnavailableError';
  constructor(
    readonly target: string,
    /** The gRPC status code: UNAVAILABLE (14), DEADLINE_EXCEEDED (4) or CANCELLED (1). */
    readonly grpcCode: number,
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
 * Turns what a call failed with (GrpcChannel's GrpcError) into the error a component handles:
 * the apiserver's Kubernetes Status (from the trailing metadata) as the same ApiError the REST
 * API would give (isNotFound, isConflict... work on it), a connection problem, a deadline or a
 * cancelled call as ApiserverUnavailableError, and anything else (a server that does not speak
 * the object API) as a 500 ApiError.
 */
export function toClientError(error: unknown, target: string): Error {
  const grpcError = error as Partial<GrpcError>;
  if (typeof grpcError?.code !== 'number') return error instanceof Error ? error : new Error(String(error));
  const status = statusFrom(grpcError.metadata);
  if (status) return new ApiError(status);
  const details = grpcError.details || grpcError.message || codeName(grpcError.code);
  switch (grpcError.code) {
    case Code.UNAVAILABLE:
      return new ApiserverUnavailableError(target, grpcError.code, `the object API at ${target} is unavailable: ${details}`, { cause: error });
    case Code.DEADLINE_EXCEEDED:
      return new ApiserverUnavailableError(target, grpcError.code, `the object API at ${target} did not answer in time: ${details}`, { cause: error });
    case Code.CANCELLED:
      return new ApiserverUnavailableError(target, grpcError.code, `the call to ${target} was cancelled: ${details}`, { cause: error });
    default:
      return new ApiError(failureStatus(500, 'InternalError', `an error on the server (${JSON.stringify(details)}) has prevented the request from succeeding (grpc ${codeName(grpcError.code)})`));
  }
}

/** An answer the codec could not read, as grpc-js reported it (INTERNAL, so a 500 ApiError): a server that does not speak the object API. */
export function responseParsingError(error: unknown, target: string): Error {
  return toClientError(grpcError(Code.INTERNAL, `Response message parsing error: ${(error as Error).message}`), target);
}

/**
 * The Kubernetes Status the apiserver attached to a failed call, if any: binary metadata, so
 * base64 in the trailers (grpc-js' server pads it, others may not; Node's decoder takes both).
 * Several values of one key arrive comma-separated; the first is the Status.
 */
function statusFrom(metadata: GrpcError['metadata']): Status | undefined {
  const value = metadata?.[STATUS_METADATA_KEY];
  if (value === undefined) return undefined;
  const encoded = (Array.isArray(value) ? value[0]! : value).split(',')[0]!.trim();
  try {
    const parsed = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Status;
    return parsed && parsed.kind === 'Status' && typeof parsed.code === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
