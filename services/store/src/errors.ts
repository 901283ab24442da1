import { Code, type CallStatus } from '@kubelab/proto';

/**
 * An error the store answers with: a gRPC status code and etcd's own message, so clients
 * (etcdctl, clientv3, the Kubernetes apiserver) recognise it exactly as they recognise etcd's.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

const make = (code: Code, message: string) => () => new StoreError(code, message);

/** etcd's v3rpc errors (rpctypes), one constructor each. */
export const Errors = Object.freeze({
  emptyKey: make(Code.INVALID_ARGUMENT, 'etcdserver: key is not provided'),
  keyNotFound: make(Code.INVALID_ARGUMENT, 'etcdserver: key not found'),
  valueProvided: make(Code.INVALID_ARGUMENT, 'etcdserver: value is provided'),
  leaseProvided: make(Code.INVALID_ARGUMENT, 'etcdserver: lease is provided'),
  tooManyOps: make(Code.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request'),
  duplicateKey: make(Code.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request'),
  invalidSortOption: make(Code.INVALID_ARGUMENT, 'etcdserver: invalid sort option'),
  requestTooLarge: make(Code.INVALID_ARGUMENT, 'etcdserver: request is too large'),
  compacted: make(Code.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'),
  futureRevision: make(Code.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'),
  leaseNotFound: make(Code.NOT_FOUND, 'etcdserver: requested lease not found'),
  leaseExists: make(Code.FAILED_PRECONDITION, 'etcdserver: lease already exists'),
  leaseTTLTooLarge: make(Code.OUT_OF_RANGE, 'etcdserver: too large lease TTL'),
  memberNotLearner: make(Code.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member'),
  notCapable: make(Code.UNIMPLEMENTED, 'etcdserver: not capable'),
  stopped: make(Code.UNAVAILABLE, 'etcdserver: server stopped'),
});

/**
 * What a handler threw, as the status the client receives: a StoreError keeps etcd's exact code
 * and message (etcdctl prints them: "Error: etcdserver: request is too large"), anything else is
 * INTERNAL with its message.
 */
export function toCallStatus(error: unknown): CallStatus {
  if (error instanceof StoreError) return { code: error.code, details: error.message };
  return { code: Code.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}
