import * as grpc from '@grpc/grpc-js';
import { errorToStatus, type Status } from '@kubelab/apimachinery';
import { STATUS_METADATA_KEY } from '@kubelab/proto';

/** The gRPC code closest to a Kubernetes Status code, for plain gRPC clients (grpcurl). */
function grpcCodeFor(code: number): grpc.status {
  if (code === 400 || code === 422) return grpc.status.INVALID_ARGUMENT;
  if (code === 404) return grpc.status.NOT_FOUND;
  if (code === 403) return grpc.status.PERMISSION_DENIED;
  if (code === 409) return grpc.status.FAILED_PRECONDITION;
  if (code === 503) return grpc.status.UNAVAILABLE;
  return code >= 500 ? grpc.status.INTERNAL : grpc.status.UNKNOWN;
}

/**
 * What the kubelet API sends when a call fails: the Kubernetes Status (an ApiError's own, or a
 * 500 with the error's message) in the trailing metadata `kubelab-status-bin`, which the
 * apiserver relays to kubectl as a kubelet's HTTP error would be.
 */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> & { code: grpc.status } {
  const status: Status = errorToStatus(error);
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_METADATA_KEY, Buffer.from(JSON.stringify(status)));
  return { code: grpcCodeFor(status.code), details: status.message ?? '', metadata };
}
