import { Code } from '@kubelab/proto';
import { CallStatusError } from './wire-status';

/**
 * Cuts a request's DATA chunks into gRPC's length-prefixed messages (a 1-byte Compressed-Flag,
 * a 4-byte big-endian length, the bytes), checking each prefix as soon as it arrives: a message
 * over the limit is refused before its bytes are buffered, as grpc.Server's
 * `grpc.max_receive_message_length` refused it, with the same words. A message that fits in
 * one chunk (nearly every request) is handed on as a view of that chunk, without a copy; one
 * spread over chunks is joined once, when it is complete.
 *
 * No compression is offered (the server never sends grpc-accept-encoding, and no kubelab client
 * compresses), so a compressed message is refused as the spec's compression.md says: with an
 * encoding named, UNIMPLEMENTED for the unsupported encoding; with none (identity), INTERNAL for
 * an invalid Compressed-Flag.
 */
export class MessageReader {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes of the message being joined, prefix included; 0 while its prefix is still incomplete. */
  private needed = 0;

  constructor(
    private readonly maxMessageBytes: number,
    /** The request's grpc-encoding header. */
    private readonly encoding: string | undefined,
  ) {}

  /** Reads a DATA chunk; `onMessage` gets each complete message. Throws CallStatusError for a refused one. */
  push(chunk: Buffer, onMessage: (message: Buffer) => void): void {
    if (this.partsLength > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.needed === 0) {
        if (this.partsLength < 5) return;
        const head = this.parts[0]!.length >= 5 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLength);
        this.needed = 5 + this.messageLength(head, 0);
      }
      if (this.partsLength < this.needed) return;
      chunk = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
      this.needed = 0;
    }
    let offset = 0;
    while (chunk.length - offset >= 5) {
      const end = offset + 5 + this.messageLength(chunk, offset);
      if (end > chunk.length) {
        this.needed = end - offset;
        break;
      }
      onMessage(chunk.subarray(offset + 5, end));
      offset = end;
    }
    if (offset < chunk.length) {
      this.parts.push(offset === 0 ? chunk : chunk.subarray(offset));
      this.partsLength = chunk.length - offset;
    }
  }

  /** The length in the prefix at `offset`, once the prefix is known to be acceptable. */
  private messageLength(buffer: Buffer, offset: number): number {
    const flag = buffer[offset];
    if (flag !== 0) {
      const encoding = this.encoding ?? 'identity';
      if (flag === 1 && encoding !== 'identity') {
        throw new CallStatusError({ code: Code.UNIMPLEMENTED, details: `Received message compressed with unsupported encoding "${encoding}"` });
      }
      throw new CallStatusError({ code: Code.INTERNAL, details: `Received message with invalid Compressed-Flag ${flag} (grpc-encoding ${encoding})` });
    }
    const length = buffer.readUInt32BE(offset + 1);
    if (length > this.maxMessageBytes) {
      throw new CallStatusError({ code: Code.RESOURCE_EXHAUSTED, details: `Received message larger than max (${length} vs. ${this.maxMessageBytes})` });
    }
    return length;
  }
}
