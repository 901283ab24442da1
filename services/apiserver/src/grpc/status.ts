import { errorToStatus, type Status } from '@kubelab/apimachinery';
import { Code, STATUS_METADATA_KEY, type CallStatus } from '@kubelab/proto';

/**
 * The gRPC code for a Kubernetes Status code, so a plain gRPC client (grpcurl) reads something
 * sensible; kubelab's own client ignores it and rebuilds the exact error from the Status JSON.
 * The pairs follow gRPC's own guidance: a lost optimistic-concurrency race is ABORTED, a name
 * already taken ALREADY_EXISTS, a compacted resourceVersion OUT_OF_RANGE (as etcd answers it).
 */
export function grpcCodeFor(status: Pick<Status, 'code' | 'reason'>): Code {
  switch (status.code) {
    case 400:
    case 406:
    case 415:
    case 422:
      return Code.INVALID_ARGUMENT;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.NOT_FOUND;
    case 405:
      return Code.UNIMPLEMENTED;
    case 409:
      return status.reason === 'AlreadyExists' ? Code.ALREADY_EXISTS : Code.ABORTED;
    case 410:
      return Code.OUT_OF_RANGE;
    case 413:
    case 429:
      return Code.RESOURCE_EXHAUSTED;
    case 500:
      return Code.INTERNAL;
    case 503:
      return Code.UNAVAILABLE;
    case 504:
      return Code.DEADLINE_EXCEEDED;
    default:
      return Code.UNKNOWN;
  }
}

/**
 * Anything a handler throws, as the status the client receives: an ApiError keeps its Status
 * (its JSON in the trailing metadata, where kubelab's client finds it), anything else becomes a
 * 500 InternalError, as over REST.
 */
export function toCallStatus(error: unknown): CallStatus {
  const status = errorToStatus(error);
  return { code: grpcCodeFor(status), details: status.message ?? '', metadata: { [STATUS_METADATA_KEY]: Buffer.from(JSON.stringify(status)) } };
}
