import * as grpc from '@grpc/grpc-js';
import { errorToStatus, type Status } from '@kubelab/apimachinery';
import { STATUS_METADATA_KEY } from '@kubelab/proto';

/**
 * The gRPC code for a Kubernetes Status code, so a plain gRPC client (grpcurl) reads something
 * sensible; kubelab's own client ignores it and rebuilds the exact error from the Status JSON.
 * The pairs follow gRPC's own guidance: a lost optimistic-concurrency race is ABORTED, a name
 * already taken ALREADY_EXISTS, a compacted resourceVersion OUT_OF_RANGE (as etcd answers it).
 */
export function grpcCodeFor(status: Pick<Status, 'code' | 'reason'>): grpc.status {
  switch (status.code) {
    case 400:
    case 406:
    case 415:
    case 422:
      return grpc.status.INVALID_ARGUMENT;
    case 401:
      return grpc.status.UNAUTHENTICATED;
    case 403:
      return grpc.status.PERMISSION_DENIED;
    case 404:
      return grpc.status.NOT_FOUND;
    case 405:
      return grpc.status.UNIMPLEMENTED;
    case 409:
      return status.reason === 'AlreadyExists' ? grpc.status.ALREADY_EXISTS : grpc.status.ABORTED;
    case 410:
      return grpc.status.OUT_OF_RANGE;
    case 413:
    case 429:
      return grpc.status.RESOURCE_EXHAUSTED;
    case 500:
      return grpc.status.INTERNAL;
    case 503:
      return grpc.status.UNAVAILABLE;
    case 504:
      return grpc.status.DEADLINE_EXCEEDED;
    default:
      return grpc.status.UNKNOWN;
  }
}

/**
 * Anything a handler throws, as the status the client receives: an ApiError keeps its Status
 * (in the trailing metadata), anything else becomes a 500 InternalError, as over REST.
 */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> & { code: grpc.status } {
  const status = errorToStatus(error);
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_METADATA_KEY, Buffer.from(JSON.stringify(status)));
  return { code: grpcCodeFor(status), details: status.message, metadata };
}
