import { goStatusText, type GrpcError } from '@kubelab/proto';

/**
 * A call to the store that failed, worded as kube-apiserver's etcd client words it: etcd's own
 * refusals by their text (`etcdserver: request is too large`, `etcdserver: request timed out`),
 * anything else as grpc-go prints a status (`rpc error: code = Unavailable desc = ...`). It is not
 * a Kubernetes Status, so the apiserver answers it as Kubernetes answers such errors: a 500 with
 * no reason and this text as message (kubectl: `Error from server: etcdserver: request is too large`).
 */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    message: string,
    /** The gRPC code the store answered with. */
    readonly code: number,
  ) {
    super(message);
  }
}

/** The store's gRPC failure as a StoreError; any other thrown value as it is. */
export function storeError(error: unknown): unknown {
  const grpc = error as Partial<GrpcError>;
  if (!(error instanceof Error) || typeof grpc.code !== 'number' || typeof grpc.details !== 'string') return error;
  if (grpc.details.startsWith('etcdserver: ') || grpc.details.startsWith('mvcc: ')) return new StoreError(grpc.details, grpc.code);
  return new StoreError(goStatusText(grpc.code, goTransportWords(grpc.details)), grpc.code);
}

/** A store that cannot be reached, as grpc-go says it (what people see from kubectl when etcd is down). */
function goTransportWords(details: string): string {
  const refused = /connect ECONNREFUSED (\S+)$/.exec(details);
  return refused ? `connection error: desc = "transport: Error while dialing: dial tcp ${refused[1]}: connect: connection refused"` : details;
}

export const isStoreError = (error: unknown): error is StoreError => error instanceof Error && error.name === 'StoreError';
