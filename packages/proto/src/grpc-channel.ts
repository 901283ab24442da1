import * as http2 from 'node:http2';

/**
 * A gRPC client connection (first the apiserver's to the etcd v3 API): gRPC's wire (HTTP/2 POSTs of length-prefixed
 * protobuf messages, the status in trailers) written directly on node:http2. Every write of every
 * component passes through here, and grpc-js' call machinery (interceptors, resolving, load
 * balancing, retry and metadata layers, several promise hops per call) was about a fifth of the
 * apiserver's CPU when 100 pods start. The messages are encoded by this package's codecs; this file
 * only moves bytes. The same protocol runs against the kubelab store and a real etcd.
 *
 * Failures read as grpc-js words them ("14 UNAVAILABLE: ..."), so logs and callers see the same
 * text. A lost connection is opened again on the next call, so a restarted store is used again at once.
 */
export class GrpcChannel {
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;

  constructor(private readonly authority: string) {}

  /** One unary call: the response message, or an error with the gRPC status. */
  unary(path: string, request: Buffer, deadlineMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.open(path);
      } catch (error) {
        return reject(grpcError(STATUS.UNAVAILABLE, (error as Error).message));
      }
      const frames = new FrameReader();
      let response: Buffer | undefined;
      const outcome = readStatus(stream);
      stream.on('data', (chunk: Buffer) => frames.push(chunk, (message) => (response ??= message)));
      let failure: Error | undefined;
      stream.on('error', (error: Error) => (failure ??= error));
      stream.setTimeout(deadlineMs, () => {
        failure ??= grpcError(STATUS.DEADLINE_EXCEEDED, 'Deadline exceeded');
        stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.on('close', () => {
        const { status, details } = outcome;
        if (status === STATUS.OK && response) return resolve(response);
        if (status !== undefined && status !== STATUS.OK) return reject(grpcError(status, details));
        const why = failure?.message ?? `stream closed with code ${stream.rstCode ?? 0}`;
        reject(typeof (failure as GrpcError | undefined)?.code === 'number' ? failure! : grpcError(STATUS.UNAVAILABLE, why));
      });
      stream.end(frame(request));
    });
  }

  /**
   * A bidirectional stream: `send` writes a message; `onMessage` hears each one received, and
   * `onEnd` once how it ended (an error, or undefined when the server ended it with status OK).
   */
  stream(path: string, onMessage: (message: Buffer) => void, onEnd: (error: GrpcError | undefined) => void): { send(message: Buffer): void; cancel(): void } {
    let stream: http2.ClientHttp2Stream | undefined;
    let ended = false;
    const end = (error: GrpcError | undefined) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    try {
      stream = this.open(path);
    } catch (error) {
      queueMicrotask(() => end(grpcError(STATUS.UNAVAILABLE, (error as Error).message)));
      return { send() {}, cancel: () => end(grpcError(STATUS.CANCELLED, 'Cancelled on client')) };
    }
    const frames = new FrameReader();
    const outcome = readStatus(stream);
    let failure: Error | undefined;
    stream.on('data', (chunk: Buffer) => frames.push(chunk, (message) => ended || onMessage(message)));
    stream.on('error', (error: Error) => (failure ??= error));
    stream.on('close', () => {
      const { status, details } = outcome;
      if (status === STATUS.OK) return end(undefined);
      if (status !== undefined) return end(grpcError(status, details));
      end(grpcError(STATUS.UNAVAILABLE, failure?.message ?? `stream closed with code ${stream!.rstCode ?? 0}`));
    });
    return {
      send: (message) => {
        if (!ended && !stream!.destroyed) stream!.write(frame(message));
      },
      cancel: () => {
        end(grpcError(STATUS.CANCELLED, 'Cancelled on client'));
        if (!stream!.destroyed) stream!.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private open(path: string): http2.ClientHttp2Stream {
    if (this.closed) throw new Error('the channel is closed');
    return this.connect().request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
  }

  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect(`http://${this.authority}`);
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    // Pings keep an idle connection through the store's keepalive enforcement, as grpc-js did.
    const keepalive = setInterval(() => session.ping(() => {}), 30_000);
    keepalive.unref();
    session.on('close', () => clearInterval(keepalive));
    // The apiserver's own servers keep the process alive; this connection must not.
    session.unref();
    this.session = session;
    return session;
  }
}

/** gRPC status codes used here (grpc/status.proto). */
export const STATUS = { OK: 0, CANCELLED: 1, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;

const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

export interface GrpcError extends Error {
  code: number;
  details: string;
}

/** An error as grpc-js words it: "<code> <NAME>: <details>". */
export function grpcError(code: number, details: string): GrpcError {
  const error = new Error(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`) as GrpcError;
  error.code = code;
  error.details = details;
  return error;
}

/** The call's gRPC status, from the trailers (or the headers of a trailers-only answer) once they arrive. */
function readStatus(stream: http2.ClientHttp2Stream): { status?: number; details: string } {
  const outcome: { status?: number; details: string } = { details: '' };
  const onHeaders = (headers: http2.IncomingHttpHeaders) => {
    if (headers['grpc-status'] === undefined) return;
    outcome.status = Number(headers['grpc-status']);
    outcome.details = decodeURIComponent(String(headers['grpc-message'] ?? ''));
  };
  stream.on('response', onHeaders);
  stream.on('trailers', onHeaders);
  return outcome;
}

/** A message in gRPC's framing: not compressed, 4-byte big-endian length, the bytes. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** Cuts a stream of DATA chunks into gRPC messages, which may span chunks or share one. */
export class FrameReader {
  private pending: Buffer | undefined;

  push(chunk: Buffer, onMessage: (message: Buffer) => void): void {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buffer.length >= 5) {
      const length = buffer.readUInt32BE(1);
      if (buffer.length < 5 + length) break;
      onMessage(buffer.subarray(5, 5 + length));
      buffer = buffer.subarray(5 + length);
    }
    this.pending = buffer.length > 0 ? buffer : undefined;
  }
}
