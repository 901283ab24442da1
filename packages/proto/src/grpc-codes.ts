/**
 * gRPC's status codes (grpc/status.proto, "Status codes and their use in gRPC"): the number a
 * call ends with, in the `grpc-status` trailer.
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

const NAMES = Object.keys(Code) as Array<keyof typeof Code>;

/** A code's name as grpc-js prints it ("14 UNAVAILABLE: ..."); UNKNOWN for a number gRPC does not define. */
export function codeName(code: number): string {
  return NAMES[code] ?? 'UNKNOWN';
}

/** Go's codes.Code names, by number. */
const GO_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** A status as grpc-go prints it (what Kubernetes' components say): `rpc error: code = Unavailable desc = ...`. */
export function goStatusText(code: number, details: string): string {
  return `rpc error: code = ${GO_NAMES[code] ?? `Code(${code})`} desc = ${details}`;
}
