import { Code, FrameReader } from '@kubelab/proto';
import { CallStatusError } from './wire-status';

/**
 * A reader of a request's messages (FrameReader) that checks each prefix as soon as it arrives:
 * a message over the limit is refused before its bytes are buffered, as grpc.Server's
 * `grpc.max_receive_message_length` refused it, with the same words.
 *
 * No compression is offered (the server never sends grpc-accept-encoding, and no kubelab client
 * compresses), so a compressed message is refused as the spec's compression.md says: with an
 * encoding named, UNIMPLEMENTED for the unsupported encoding; with none (identity), INTERNAL for
 * an invalid Compressed-Flag. A refusal is thrown as a CallStatusError.
 */
export function requestReader(maxMessageBytes: number, encoding: string | undefined): FrameReader {
  return new FrameReader((flag, length) => {
    if (flag !== 0) {
      const named = encoding ?? 'identity';
      if (flag === 1 && named !== 'identity') {
        throw new CallStatusError({ code: Code.UNIMPLEMENTED, details: `Received message compressed with unsupported encoding "${named}"` });
      }
      throw new CallStatusError({ code: Code.INTERNAL, details: `Received message with invalid Compressed-Flag ${flag} (grpc-encoding ${named})` });
    }
    if (length > maxMessageBytes) {
      throw new CallStatusError({ code: Code.RESOURCE_EXHAUSTED, details: `Received message larger than max (${length} vs. ${maxMessageBytes})` });
    }
  });
}
