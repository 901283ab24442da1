import type { KeyValue } from './types';

/**
 * The backend's encoding of a KeyValue: a fixed 36-byte header (create_revision, mod_revision,
 * version, lease as 64-bit big-endian integers, key length), then the key, then the value.
 * A tombstone is stored the same way with an empty value.
 */
const HEADER = 36;

export function encodeKeyValue(kv: KeyValue): Buffer {
  const out = Buffer.allocUnsafe(HEADER + kv.key.length + kv.value.length);
  out.writeBigUInt64BE(BigInt(kv.create_revision), 0);
  out.writeBigUInt64BE(BigInt(kv.mod_revision), 8);
  out.writeBigUInt64BE(BigInt(kv.version), 16);
  out.writeBigInt64BE(BigInt(kv.lease), 24);
  out.writeUInt32BE(kv.key.length, 32);
  kv.key.copy(out, HEADER);
  kv.value.copy(out, HEADER + kv.key.length);
  return out;
}

export function decodeKeyValue(bytes: Buffer): KeyValue {
  if (bytes.length < HEADER) throw new Error(`mvcc: stored value is too short (${bytes.length} bytes)`);
  const keyLength = bytes.readUInt32BE(32);
  return {
    create_revision: Number(bytes.readBigUInt64BE(0)),
    mod_revision: Number(bytes.readBigUInt64BE(8)),
    version: Number(bytes.readBigUInt64BE(16)),
    lease: bytes.readBigInt64BE(24).toString(),
    key: Buffer.from(bytes.subarray(HEADER, HEADER + keyLength)),
    value: Buffer.from(bytes.subarray(HEADER + keyLength)),
  };
}
