import { errorToStatus, type Status, type StatusCause, type StatusDetails } from '@kubelab/apimachinery';
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

/** The most the Status JSON in the trailers may take: Node's HTTP/2 client drops the whole connection (COMPRESSION_ERROR) over one header field of ~64 KiB. */
export const MAX_STATUS_JSON_BYTES = 8 * 1024;
/** The most grpc-message carries, in characters (before percent-encoding). */
export const MAX_GRPC_MESSAGE_CHARS = 1024;

/**
 * Anything a handler throws, as the status the client receives: an ApiError keeps its Status
 * (its JSON in the trailing metadata, where kubelab's client finds it), anything else becomes a
 * 500 InternalError, as over REST. Both are bounded (boundedStatus, MAX_GRPC_MESSAGE_CHARS): a
 * field error repeats the bad value, and a trailer too large for the client would cost it the
 * connection and every watch on it.
 */
export function toCallStatus(error: unknown): CallStatus {
  const status = errorToStatus(error);
  return {
    code: grpcCodeFor(status),
    details: clip(status.message ?? '', MAX_GRPC_MESSAGE_CHARS),
    metadata: { [STATUS_METADATA_KEY]: Buffer.from(boundedStatus(status)) },
  };
}

/**
 * The Status as JSON within MAX_STATUS_JSON_BYTES: as is when it fits; otherwise its kind, code,
 * reason and details' name/group/kind/uid/retryAfterSeconds (long strings clipped), the message
 * clipped, and as many causes (each clipped) as the budget leaves room for.
 */
export function boundedStatus(status: Status, budget = MAX_STATUS_JSON_BYTES): string {
  const whole = JSON.stringify(status);
  if (Buffer.byteLength(whole) <= budget) return whole;
  const { causes, ...details } = status.details ?? {};
  for (const [stringLimit, messageLimit] of [
    [256, 2048],
    [64, 256],
    [16, 0],
  ] as const) {
    const clippedDetails: StatusDetails | undefined = status.details
      ? Object.fromEntries(Object.entries(details).map(([key, value]) => [key, typeof value === 'string' ? clip(value, stringLimit) : value]))
      : undefined;
    const bounded: Status = { ...status, message: clip(status.message ?? '', messageLimit) || undefined, details: clippedDetails };
    if (status.message === undefined) delete bounded.message;
    if (!clippedDetails) delete bounded.details;
    let json = JSON.stringify(bounded);
    if (Buffer.byteLength(json) > budget) continue;
    if (clippedDetails && causes?.length) {
      const kept: StatusCause[] = [];
      for (const cause of causes) {
        const clipped: StatusCause = { ...cause };
        if (cause.message !== undefined) clipped.message = clip(cause.message, 512);
        if (cause.field !== undefined) clipped.field = clip(cause.field, 256);
        const next = JSON.stringify({ ...bounded, details: { ...clippedDetails, causes: [...kept, clipped] } });
        if (Buffer.byteLength(next) > budget) break;
        kept.push(clipped);
        json = next;
      }
    }
    return json;
  }
  // Unreachable with any sane budget: the bare essentials.
  return JSON.stringify({ kind: status.kind, apiVersion: status.apiVersion, metadata: {}, status: status.status, reason: status.reason, code: status.code });
}

const CLIPPED = '... (truncated)';

/** `text` cut to at most `limit` characters (a marker saying so included), never inside a surrogate pair. */
function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  if (limit <= CLIPPED.length) return '';
  let end = limit - CLIPPED.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + CLIPPED;
}
