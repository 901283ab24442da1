/**
 * Objects on the object API's wire are the JSON bytes of the Kubernetes object (the REST body).
 * The codec (@kubelab/proto's objects-codec) hands received bytes over as Buffer views into the
 * gRPC message, so they are parsed in place, without a copy.
 */
export function encodeObject(object: unknown): Buffer {
  return Buffer.from(JSON.stringify(object));
}

export function decodeObject<T>(bytes: Uint8Array): T {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return JSON.parse(buffer.toString('utf8')) as T;
}
