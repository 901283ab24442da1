import type * as grpc from '@grpc/grpc-js';

const REQUEST_BYTES = Symbol('requestBytes');

/**
 * Wraps a service definition so every decoded request remembers its encoded size: etcd refuses a
 * request over --max-request-bytes with "request is too large", which needs the wire size.
 */
export function measuringRequests(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        const message = method.requestDeserialize(bytes) as object;
        Object.defineProperty(message, REQUEST_BYTES, { value: bytes.length });
        return message;
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

export function requestBytes(message: object): number {
  return (message as { [REQUEST_BYTES]?: number })[REQUEST_BYTES] ?? 0;
}
