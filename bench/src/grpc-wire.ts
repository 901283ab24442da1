import * as http2 from 'node:http2';

/**
 * A minimal gRPC client on node:http2 for the benchmarks: unary calls and one bidirectional
 * stream, messages as raw protobuf bytes. One HTTP/2 connection carries every call.
 */
export class GrpcWire {
  private readonly session: http2.ClientHttp2Session;

  constructor(endpoint: string) {
    this.session = http2.connect(`http://${endpoint}`);
    this.session.on('error', () => {});
  }

  /** One unary call; resolves with the response message, rejects with the gRPC status message. */
  unary(path: string, request: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.open(path);
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let detail: string | undefined;
      const note = (headers: http2.IncomingHttpHeaders) => {
        if (headers['grpc-status'] !== undefined) {
          status = String(headers['grpc-status']);
          detail = headers['grpc-message'] as string | undefined;
        }
      };
      stream.on('response', note);
      stream.on('trailers', note);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('close', () => {
        if (status !== '0') return reject(new Error(`grpc-status ${status}: ${detail ? decodeURIComponent(detail) : ''}`));
        const body = Buffer.concat(chunks);
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
      });
      stream.end(frame(request));
    });
  }

  /** A bidirectional stream: `send` writes a message, `onMessage` gets each message received. */
  stream(path: string, onMessage: (message: Buffer) => void): { send(message: Buffer): void; close(): void } {
    const stream = this.open(path);
    let pending: Buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 5) {
        const length = pending.readUInt32BE(1);
        if (pending.length < 5 + length) break;
        onMessage(pending.subarray(5, 5 + length));
        pending = pending.subarray(5 + length);
      }
    });
    stream.on('error', () => {});
    return { send: (message) => stream.write(frame(message)), close: () => stream.close(http2.constants.NGHTTP2_CANCEL) };
  }

  close(): void {
    this.session.close();
  }

  private open(path: string): http2.ClientHttp2Stream {
    return this.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
  }
}

function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}
