import type { OutgoingHttpHeaders } from 'node:http2';
import type { Code } from './grpc-codes';

/**
 * How a call ends, as gRPC puts it in the trailers: the code, a message for people
 * (`grpc-message`), and custom metadata. A key ending in `-bin` carries bytes (the Kubernetes
 * Status of a failed object call), anything else printable ASCII.
 */
export interface CallStatus {
  code: Code;
  details: string;
  metadata?: Readonly<Record<string, string | Buffer>>;
}

/** Thrown inside the transport to end a call with this status (a bad message, a limit). */
export class CallStatusError extends Error {
  constructor(readonly status: CallStatus) {
    super(status.details);
  }
}

/** The trailers of every call that succeeds. */
export const OK_TRAILERS: OutgoingHttpHeaders = Object.freeze({ 'grpc-status': '0' });

/** The trailers that end a call with `status` (also the headers of a trailers-only answer). */
export function statusHeaders(status: CallStatus): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'grpc-status': String(status.code) };
  if (status.details) headers['grpc-message'] = percentEncode(status.details);
  if (status.metadata) {
    for (const [key, value] of Object.entries(status.metadata)) {
      // Binary values go as base64; the spec asks senders to leave the padding out.
      headers[key] = key.endsWith('-bin') ? (typeof value === 'string' ? Buffer.from(value) : value).toString('base64').replace(/=+$/, '') : String(value);
    }
  }
  return headers;
}

/** Printable ASCII other than '%': what grpc-message may carry as is. */
const PLAIN_MESSAGE = /^[\x20-\x24\x26-\x7e]*$/;

/**
 * grpc-message as the gRPC spec writes it: the UTF-8 bytes of the text, each byte outside
 * printable ASCII (and '%' itself) as %XX. Clients decode it back (decodeURI in grpc-js), so
 * Kubernetes messages with quotes and non-ASCII names arrive intact.
 */
function percentEncode(text: string): string {
  if (PLAIN_MESSAGE.test(text)) return text;
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    encoded += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
  }
  return encoded;
}
