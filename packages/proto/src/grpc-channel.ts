import * as http2 from 'node:http2';
import { Code, codeName } from './grpc-codes';

export interface GrpcChannelOptions {
  /** How often the connection is pinged (default 30 s): pings keep it through the server's keepalive enforcement and find a dead link TCP would not report. */
  keepaliveTimeMs?: number;
  /** A ping not answered within this (default 10 s) closes the connection, failing its calls and streams with UNAVAILABLE, as grpc-js' keepalive_timeout did. */
  keepaliveTimeoutMs?: number;
  /** Sent as every call's user-agent (the apiserver names a component's writes in managedFields by its first part). */
  userAgent?: string;
}

/** A call's stream of messages: `send` writes one, `end` half-closes (no more to send), `cancel` abandons the call. */
export interface GrpcStream {
  send(message: Buffer): void;
  end(): void;
  cancel(): void;
}

/** The connection and how many calls use it: while any does, it keeps the process alive. */
interface Connection {
  session: http2.ClientHttp2Session;
  calls: number;
}

/**
 * A gRPC client connection (the apiserver's to the etcd v3 API, every component's to the
 * apiserver's object API): gRPC's wire (HTTP/2 POSTs of length-prefixed protobuf messages, the
 * status in trailers) written directly on node:http2. Every write of every component passes
 * through here, and grpc-js' call machinery (interceptors, resolving, load balancing, retry and
 * metadata layers, several promise hops per call) was about a fifth of the apiserver's CPU when
 * 100 pods start. The messages are encoded by this package's codecs; this file only moves bytes.
 * The same protocol runs against the kubelab store, a real etcd, and grpc-js or node:http2 servers.
 *
 * Failures read as grpc-js words them ("14 UNAVAILABLE: ..."), so logs and callers see the same
 * text. A lost connection is opened again on the next call, with no back-off of its own: while
 * the server is down each call's attempt is refused at once, and the callers (retry loops with
 * their own back-off) pace the attempts; a restarted server is used as soon as it listens.
 * An idle connection does not keep the process alive; one with a call under way does, as grpc-js.
 */
export class GrpcChannel {
  private connection: Connection | undefined;
  private closed = false;
  private readonly keepaliveTimeMs: number;
  private readonly keepaliveTimeoutMs: number;
  private readonly userAgent: string | undefined;

  constructor(
    private readonly authority: string,
    options: GrpcChannelOptions = {},
  ) {
    this.keepaliveTimeMs = options.keepaliveTimeMs ?? 30_000;
    this.keepaliveTimeoutMs = options.keepaliveTimeoutMs ?? 10_000;
    this.userAgent = options.userAgent;
  }

  /**
   * One unary call: the response message, or an error with the gRPC status (and the trailers'
   * metadata). The deadline counts from now; an abort of `signal` cancels the call (CANCELLED).
   */
  unary(path: string, request: Buffer, deadlineMs: number, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelledOnClient());
      let stream: http2.ClientHttp2Stream;
      try {
        // The deadline goes to the server too (grpc-timeout), so it can drop work nobody waits for.
        stream = this.open(path, grpcTimeout(deadlineMs));
      } catch (error) {
        return reject(grpcError(Code.UNAVAILABLE, (error as Error).message));
      }
      const frames = new FrameReader();
      let response: Buffer | undefined;
      let failure: Error | undefined;
      let settled = false;
      const outcome = readStatus(stream);
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        // The signal may outlive many calls (an informer's): leave no listener behind.
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      // A deadline or an abort settles the call at once, not when the stream's 'close' comes: on
      // a connection the peer broke without a word (a header field too large for node:http2),
      // 'close' may never come. The stream is reset and destroyed, whatever state it is in.
      const cancel = (error: GrpcError) => {
        failure ??= error;
        settle(() => reject(error));
        if (!stream.destroyed) {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          stream.destroy();
        }
      };
      const deadline = setTimeout(() => cancel(grpcError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded')), deadlineMs);
      const onAbort = () => cancel(cancelledOnClient());
      signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (chunk: Buffer) => frames.push(chunk, (message) => (response ??= message)));
      stream.on('error', (error: Error) => (failure ??= error));
      stream.on('close', () =>
        settle(() => {
          const { status } = outcome;
          if (status === Code.OK && response) return resolve(response);
          // As grpc-js: a status OK without the one message a unary call answers with is UNIMPLEMENTED.
          if (status === Code.OK) return reject(grpcError(Code.UNIMPLEMENTED, 'No message received', outcome.metadata));
          if (status !== undefined) return reject(statusError(outcome));
          reject(typeof (failure as GrpcError | undefined)?.code === 'number' ? failure! : endedWithoutStatus(outcome, failure, stream));
        }),
      );
      stream.end(frame(request));
    });
  }

  /**
   * A stream (bidirectional, or server streaming after one `send` and `end`): `onMessage` hears
   * each message received, and `onEnd` once how it ended (an error, or undefined when the server
   * ended it with status OK).
   */
  stream(path: string, onMessage: (message: Buffer) => void, onEnd: (error: GrpcError | undefined) => void): GrpcStream {
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
      queueMicrotask(() => end(grpcError(Code.UNAVAILABLE, (error as Error).message)));
      return { send() {}, end() {}, cancel: () => end(cancelledOnClient()) };
    }
    const frames = new FrameReader();
    const outcome = readStatus(stream);
    let failure: Error | undefined;
    stream.on('data', (chunk: Buffer) => frames.push(chunk, (message) => ended || onMessage(message)));
    stream.on('error', (error: Error) => (failure ??= error));
    stream.on('close', () => {
      const { status } = outcome;
      if (status === Code.OK) return end(undefined);
      if (status !== undefined) return end(statusError(outcome));
      end(endedWithoutStatus(outcome, failure, stream!));
    });
    return {
      send: (message) => {
        if (!ended && !stream!.destroyed) stream!.write(frame(message));
      },
      end: () => {
        if (!ended && !stream!.destroyed) stream!.end();
      },
      cancel: () => {
        end(cancelledOnClient());
        if (!stream!.destroyed) stream!.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  close(): void {
    this.closed = true;
    this.connection?.session.close();
    this.connection = undefined;
  }

  private open(path: string, timeout?: string): http2.ClientHttp2Stream {
    if (this.closed) throw new Error('the channel is closed');
    const connection = this.connect();
    const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' };
    if (timeout) headers['grpc-timeout'] = timeout;
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    const stream = connection.session.request(headers);
    if (connection.calls++ === 0) connection.session.ref();
    stream.once('close', () => {
      if (--connection.calls === 0) connection.session.unref();
    });
    return stream;
  }

  private connect(): Connection {
    const current = this.connection;
    if (current && !current.session.closed && !current.session.destroyed) return current;
    const session = http2.connect(`http://${this.authority}`);
    const connection: Connection = { session, calls: 0 };
    const forget = () => {
      if (this.connection === connection) this.connection = undefined;
    };
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    const keepalive = setInterval(() => this.ping(session), this.keepaliveTimeMs);
    keepalive.unref();
    // A peer that never answers the TCP handshake (a black-holed address) fails the calls in time too.
    const connecting = setTimeout(() => session.destroy(new Error(`connection not established within ${this.keepaliveTimeoutMs} ms`)), this.keepaliveTimeoutMs);
    connecting.unref();
    session.once('connect', () => clearTimeout(connecting));
    session.on('close', () => {
      clearInterval(keepalive);
      clearTimeout(connecting);
    });
    // Idle, this connection must not keep the process alive; open() refs it while calls use it.
    session.unref();
    this.connection = connection;
    return connection;
  }

  /** One keepalive ping; unanswered in time (or a connection that never came up), the session goes, and its calls fail UNAVAILABLE. */
  private ping(session: http2.ClientHttp2Session): void {
    if (session.destroyed) return;
    const unanswered = setTimeout(() => session.destroy(new Error(`keepalive ping not answered within ${this.keepaliveTimeoutMs} ms`)), this.keepaliveTimeoutMs);
    unanswered.unref();
    // A ping sent while still connecting fails at once ("HTTP2 ping cancelled" on Node 20): its
    // callback clears the timer; the connect has a timer of its own (connect()).
    if (session.ping(() => clearTimeout(unanswered)) === false) clearTimeout(unanswered);
  }
}


/** A call its client cancelled (an abort, stop() of a stream), worded as grpc-js words it. */
function cancelledOnClient(): GrpcError {
  return grpcError(Code.CANCELLED, 'Cancelled on client');
}

export interface GrpcError extends Error {
  code: number;
  details: string;
  /**
   * The server's trailers (or the headers of a trailers-only answer) when it sent the status, as
   * node:http2 gives them: gRPC metadata, binary values (keys ending in -bin) in base64.
   */
  metadata?: http2.IncomingHttpHeaders;
}

/** An error as grpc-js words it: "<code> <NAME>: <details>". */
export function grpcError(code: number, details: string, metadata?: http2.IncomingHttpHeaders): GrpcError {
  const error = new Error(`${code} ${codeName(code)}: ${details}`) as GrpcError;
  error.code = code;
  error.details = details;
  if (metadata) error.metadata = metadata;
  return error;
}

/** What the call's gRPC status said, from the trailers (or the headers of a trailers-only answer) once they arrive. */
interface Outcome {
  /** The HTTP status of the response headers. */
  httpStatus?: number;
  status?: number;
  details: string;
  metadata?: http2.IncomingHttpHeaders;
}

function readStatus(stream: http2.ClientHttp2Stream): Outcome {
  const outcome: Outcome = { details: '' };
  const onHeaders = (headers: http2.IncomingHttpHeaders) => {
    if (headers[':status'] !== undefined) outcome.httpStatus = Number(headers[':status']);
    if (headers['grpc-status'] === undefined) return;
    outcome.status = Number(headers['grpc-status']);
    outcome.details = percentDecoded(String(headers['grpc-message'] ?? ''));
    outcome.metadata = headers;
  };
  stream.on('response', onHeaders);
  stream.on('trailers', onHeaders);
  return outcome;
}

/**
 * A peer that answered with an HTTP error and no gRPC status (not a gRPC server, or a proxy in the
 * way), as grpc-js maps it: "Received HTTP status code 404" is UNIMPLEMENTED, and so on.
 */
function httpStatusError(outcome: Outcome): GrpcError | undefined {
  const code = outcome.httpStatus;
  if (code === undefined || code === 200) return undefined;
  const mapped = code === 400 ? Code.INTERNAL : code === 401 ? Code.UNAUTHENTICATED : code === 403 ? Code.PERMISSION_DENIED : code === 404 ? Code.UNIMPLEMENTED : [429, 502, 503, 504].includes(code) ? Code.UNAVAILABLE : Code.UNKNOWN;
  return grpcError(mapped, `Received HTTP status code ${code}`);
}

/** A call that closed with no gRPC status: an HTTP error's mapping, else the transport's failure (UNAVAILABLE). */
function endedWithoutStatus(outcome: Outcome, failure: Error | undefined, stream: http2.ClientHttp2Stream): GrpcError {
  return httpStatusError(outcome) ?? grpcError(Code.UNAVAILABLE, failure ? why(failure) : `stream closed with code ${stream.rstCode ?? 0}`);
}

function statusError(outcome: Outcome): GrpcError {
  return grpcError(outcome.status!, outcome.details, outcome.metadata);
}

/** A deadline as grpc-timeout writes it (at most 8 digits and a unit, PROTOCOL-HTTP2.md). */
function grpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  return whole <= 99_999_999 ? `${whole}m` : `${Math.min(99_999_999, Math.ceil(whole / 1000))}S`;
}

/** grpc-message is percent-encoded; a server that got that wrong still has its text read. */
function percentDecoded(message: string): string {
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

/** A transport failure in words: a refused connection says what the connect said, as grpc-js does. */
function why(error: Error): string {
  const cause = (error as { code?: string; cause?: unknown }).code === 'ERR_HTTP2_STREAM_CANCEL' ? (error as { cause?: unknown }).cause : undefined;
  return cause instanceof Error ? `No connection established. Last error: ${cause.message}` : error.message;
}

/** A message in gRPC's framing: not compressed, 4-byte big-endian length, the bytes. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/**
 * Cuts a stream of DATA chunks into gRPC's length-prefixed messages (a 1-byte Compressed-Flag, a
 * 4-byte big-endian length, the bytes), which may span chunks or share one. A message inside one
 * chunk is handed on as a view of it, without a copy; one spread over many chunks (a long list)
 * is joined once, when its last byte has arrived. `checkPrefix` sees each message's flag and
 * length as soon as its prefix is complete, before its bytes are buffered, and may throw to
 * refuse it (a server's size limit).
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private buffered = 0;
  /** Bytes of the message being joined, prefix included; 0 while its prefix is still incomplete. */
  private needed = 0;

  constructor(private readonly checkPrefix?: (flag: number, length: number) => void) {}

  push(chunk: Buffer, onMessage: (message: Buffer) => void): void {
    let offset = 0;
    if (this.buffered > 0) {
      this.pending.push(chunk);
      this.buffered += chunk.length;
      if (this.needed === 0) {
        if (this.buffered < 5) return;
        const head = this.pending[0]!.length >= 5 ? this.pending[0]! : Buffer.concat(this.pending, this.buffered);
        this.needed = 5 + this.lengthAt(head, 0);
      }
      if (this.buffered < this.needed) return;
      // The joined message's prefix was read (and checked) above: hand it over, then go on past it.
      chunk = Buffer.concat(this.pending, this.buffered);
      offset = this.needed;
      this.pending = [];
      this.buffered = 0;
      this.needed = 0;
      onMessage(chunk.subarray(5, offset));
    }
    while (chunk.length - offset >= 5) {
      const end = offset + 5 + this.lengthAt(chunk, offset);
      if (end > chunk.length) {
        this.needed = end - offset;
        break;
      }
      onMessage(chunk.subarray(offset + 5, end));
      offset = end;
    }
    if (offset < chunk.length) {
      this.pending.push(offset === 0 ? chunk : chunk.subarray(offset));
      this.buffered = chunk.length - offset;
    }
  }

  /** The length in the prefix at `offset`, once `checkPrefix` accepts it. */
  private lengthAt(buffer: Buffer, offset: number): number {
    const length = buffer.readUInt32BE(offset + 1);
    this.checkPrefix?.(buffer[offset]!, length);
    return length;
  }
}
