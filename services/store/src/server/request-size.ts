const REQUEST_BYTES = Symbol('requestBytes');

/**
 * Wraps a request decoder so every decoded request remembers its encoded size: etcd refuses a
 * request over --max-request-bytes with "request is too large", which needs the wire size.
 */
export function measuring<T>(decode: (bytes: Buffer) => T): (bytes: Buffer) => T {
  return (bytes) => {
    const message = decode(bytes) as object;
    Object.defineProperty(message, REQUEST_BYTES, { value: bytes.length });
    return message as T;
  };
}

export function requestBytes(message: object): number {
  return (message as { [REQUEST_BYTES]?: number })[REQUEST_BYTES] ?? 0;
}
