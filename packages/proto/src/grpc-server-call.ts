import * as http2 from 'node:http2';
import { FrameReader, frame } from './grpc-channel';
import { Code } from './grpc-codes';
import { CallStatusError, OK_TRAILERS, statusHeaders, type CallStatus } from './grpc-server-status';

/**
 * One call on the wire: reading its request messages, and answering it as gRPC over HTTP/2 says
 * (PROTOCOL-HTTP2.md): response headers, the messages, then trailers with the status; or, when
 * nothing was sent yet, one HEADERS frame carrying the status too ("trailers-only"). Handlers
 * never see the stream: they return or throw (unary), or write to a ServerStream (server
 * streaming, and bidirectional streaming, whose handler also hears each request as it arrives).
 */

/**
 * Where the server logs: pino's (obj, msg) signature, so a component's pino logger fits, without
 * this package depending on the one that makes it (@kubelab/component-base).
 */
export interface GrpcServerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What every call shares from its server. */
export interface CallContext {
  maxReceiveMessageBytes: number;
  /** Bytes a server stream may have waiting for its client before the call is cut. */
  maxQueuedBytes: number;
  /** The status that a handler's error ends its call with. */
  statusOf(error: unknown): CallStatus;
  log: GrpcServerLogger;
}

export interface UnaryMethod<Req = never, Res = unknown> {
  requestStream?: false;
  responseStream: false;
  decode(bytes: Buffer): Req;
  encode(response: Res): Buffer;
  /** `headers`: the call's request headers (its metadata: user-agent, ...). */
  handle(request: Req, headers: http2.IncomingHttpHeaders): Promise<Res>;
}

export interface ServerStreamingMethod<Req = never, Res = unknown> {
  requestStream?: false;
  responseStream: true;
  decode(bytes: Buffer): Req;
  encode(message: Res): Buffer;
  /** Writes to `call` until it calls `call.end()`; a rejection before then ends the call with its status. */
  handle(request: Req, call: ServerStream<Res>): Promise<void>;
}

/**
 * A bidirectional streaming method (etcd's Watch and LeaseKeepAlive): `open` runs when the call
 * starts, before any request has arrived, and returns what hears the client's requests; it writes
 * to `call` whenever it likes and ends it with a status.
 */
export interface BidiStreamingMethod<Req = never, Res = unknown> {
  requestStream: true;
  responseStream: true;
  decode(bytes: Buffer): Req;
  encode(message: Res): Buffer;
  open(call: ServerStream<Res>): RequestListener<Req>;
}

/** What a bidirectional call's handler hears from its client, in the order it was sent. */
export interface RequestListener<Req> {
  /** One request message, decoded. A throw ends the call with the status statusOf gives (and the handler hears a cancel). */
  onMessage(request: Req): void;
  /** The client half-closed: no more requests come. The call stays open until the handler ends it. */
  onHalfClose(): void;
}

/** The sending half of a streaming call, as its handler sees it. */
export interface ServerStream<Res> {
  /** Sends one message (the response headers go first, with the first one). */
  write(message: Res): void;
  /** Ends the call, after every message written: with status OK, or with `status`. */
  end(status?: CallStatus): void;
  /**
   * The call ended without the handler: the client cancelled or went away, the deadline passed,
   * it stopped reading, or (bidirectional) the transport refused one of its requests.
   */
  readonly cancelled: boolean;
  /** Called once when the call is cancelled (at once, if it already is). */
  onCancel(listener: () => void): void;
}

const RESPONSE_HEADERS: http2.OutgoingHttpHeaders = Object.freeze({ ':status': 200, 'content-type': 'application/grpc' });
const WITH_TRAILERS = Object.freeze({ waitForTrailers: true, sendDate: false });
const END_STREAM = Object.freeze({ endStream: true, sendDate: false });
const DEADLINE_EXCEEDED: CallStatus = Object.freeze({ code: Code.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });

/** A unary call: the handler's result as one message and status OK, or what it threw as the status. */
export function serveUnary(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, method: UnaryMethod, ctx: CallContext, timeoutMs: number | undefined): void {
  // Set once the call is answered: a result or error that comes later (after the deadline) is dropped.
  let answered = false;
  let deadline: NodeJS.Timeout | undefined;
  const answer = (status: CallStatus | undefined, response?: Buffer) => {
    if (answered) return;
    answered = true;
    if (deadline !== undefined) clearTimeout(deadline);
    if (status) return respondStatus(stream, status, ctx.log);
    if (stream.destroyed || stream.closed) return;
    try {
      stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
      stream.on('wantTrailers', sendOkTrailers);
      stream.end(frame(response!));
    } catch (error) {
      ctx.log.debug({ err: (error as Error).message }, 'grpc response not sent');
      abort(stream);
    }
  };
  if (timeoutMs !== undefined) {
    deadline = setTimeout(answer, timeoutMs, DEADLINE_EXCEEDED);
    // A call the client cancelled keeps no timer (and no request) alive until its deadline.
    stream.once('close', () => clearTimeout(deadline));
  }
  readRequest(stream, headers, ctx, answer, (bytes) => {
    // The deadline may have passed while the message was still arriving.
    if (answered) return;
    let request: never;
    try {
      request = method.decode(bytes);
    } catch (error) {
      return answer(badRequestMessage(error));
    }
    let pending: Promise<unknown>;
    try {
      pending = method.handle(request, headers);
    } catch (error) {
      return answer(ctx.statusOf(error));
    }
    pending.then(
      (response) => {
        if (answered) return;
        let bytes: Buffer;
        try {
          bytes = method.encode(response);
        } catch (error) {
          return answer({ code: Code.INTERNAL, details: `Error serializing response: ${(error as Error).message}` });
        }
        answer(undefined, bytes);
      },
      (error: unknown) => answer(ctx.statusOf(error)),
    );
  });
}

/** A server-streaming call: the handler writes to a ServerStream until it ends it. */
export function serveServerStreaming(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, method: ServerStreamingMethod, ctx: CallContext, timeoutMs: number | undefined): void {
  const call = new ServerStreamCall(stream, String(headers[':path']), method.encode, ctx);
  if (timeoutMs !== undefined) call.setDeadline(timeoutMs);
  readRequest(stream, headers, ctx, (status) => call.end(status), (bytes) => {
    let request: never;
    try {
      request = method.decode(bytes);
    } catch (error) {
      return call.end(badRequestMessage(error));
    }
    Promise.resolve()
      .then(() => method.handle(request, call))
      .catch((error: unknown) => call.end(ctx.statusOf(error)));
  });
}

/** A bidirectional call: each request goes to the handler's listener as it arrives; the handler ends the call. */
export function serveBidiStreaming(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, method: BidiStreamingMethod, ctx: CallContext, timeoutMs: number | undefined): void {
  const call = new ServerStreamCall(stream, String(headers[':path']), method.encode, ctx);
  if (timeoutMs !== undefined) call.setDeadline(timeoutMs);
  let listener: RequestListener<never> | undefined;
  try {
    listener = method.open(call);
  } catch (error) {
    call.end(ctx.statusOf(error));
  }
  readMessages(stream, headers, ctx, {
    message(bytes) {
      if (!call.open) return false;
      let request: never;
      try {
        request = method.decode(bytes);
      } catch (error) {
        call.cancel(badRequestMessage(error));
        return false;
      }
      try {
        listener!.onMessage(request);
      } catch (error) {
        call.cancel(ctx.statusOf(error));
      }
      return call.open;
    },
    end() {
      // Node ends the readable side also when the client resets the stream (a cancel), and says
      // so ('aborted', then 'close') only after: a turn later, a half-close is told from a cancel.
      setImmediate(() => {
        if (call.open && !stream.aborted && !stream.destroyed) listener!.onHalfClose();
      });
    },
    refuse: (status) => call.cancel(status),
  });
}

/** The one request message of a unary or server-streaming call, handed on as soon as it is complete (a client half-closes after it; nothing waits for that). */
function readRequest(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ctx: CallContext, refuse: (status: CallStatus) => void, onRequest: (message: Buffer) => void): void {
  readMessages(stream, headers, ctx, {
    message(bytes) {
      onRequest(bytes);
      return false;
    },
    end: () => refuse({ code: Code.INTERNAL, details: `Received no request message for ${headers[':path']}` }),
    refuse,
  });
}

interface MessageSink {
  /** One message; false: no more are wanted (the rest are read and dropped). */
  message(bytes: Buffer): boolean;
  /** The client half-closed while messages were still wanted. */
  end(): void;
  /** A message was refused (too large, compressed): nothing more is read. */
  refuse(status: CallStatus): void;
}

/**
 * Reads a call's request messages in order, each checked against the limits as soon as its prefix
 * arrives. Data after the last wanted message, or after a refusal, is read and dropped, so the
 * stream can close.
 */
function readMessages(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ctx: CallContext, sink: MessageSink): void {
  const reader = requestReader(ctx.maxReceiveMessageBytes, headers['grpc-encoding'] as string | undefined);
  let reading = true;
  const onMessage = (bytes: Buffer) => {
    if (reading) reading = sink.message(bytes);
  };
  stream.on('data', (chunk: Buffer) => {
    if (!reading) return;
    try {
      reader.push(chunk, onMessage);
    } catch (error) {
      reading = false;
      sink.refuse(error instanceof CallStatusError ? error.status : { code: Code.INTERNAL, details: (error as Error).message });
    }
  });
  stream.on('end', () => {
    if (!reading) return;
    reading = false;
    sink.end();
  });
}

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

/** A streaming call's state: written to by its handler, ended by it, or cancelled from outside. */
class ServerStreamCall<Res> implements ServerStream<Res> {
  private headersSent = false;
  /** Ended (by the handler, a refusal or a deadline) or closed by the client: nothing more is sent. */
  private over = false;
  cancelled = false;
  private cancelListeners: Array<() => void> = [];
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly path: string,
    private readonly encode: (message: Res) => Buffer,
    private readonly ctx: CallContext,
  ) {
    // Closed before we ended it: the client cancelled (RST_STREAM) or the connection is gone.
    stream.on('close', () => this.cancel(undefined));
  }

  /** Never throws: it runs inside the watch cache's fan-out to every watcher. */
  write(message: Res): void {
    if (this.over) return;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return this.cancel(undefined);
    try {
      if (!this.headersSent) {
        this.headersSent = true;
        stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
      }
      // Like grpc-js' write, this queues whatever the client has not taken yet; unlike it, not
      // without end: a client that stops reading for that long is cut and re-watches.
      stream.write(frame(this.encode(message)));
    } catch (error) {
      this.ctx.log.debug({ path: this.path, err: (error as Error).message }, 'grpc stream write failed');
      this.cancel(undefined);
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (stream.writableLength > this.ctx.maxQueuedBytes) {
      this.ctx.log.warn({ path: this.path, queuedBytes: stream.writableLength }, 'grpc stream cut: its client stopped reading');
      this.cancel(undefined);
      stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    }
  }

  /** Neither ended nor cancelled: messages written still go out. */
  get open(): boolean {
    return !this.over;
  }

  onCancel(listener: () => void): void {
    if (this.cancelled) queueMicrotask(listener);
    else if (!this.over) this.cancelListeners.push(listener);
  }

  setDeadline(timeoutMs: number): void {
    this.deadline = setTimeout(() => this.cancel(DEADLINE_EXCEEDED, true), timeoutMs);
  }

  /** Ends the call: status OK (undefined) after the messages, or the status given. */
  end(status?: CallStatus): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.deadline);
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    if (!this.headersSent) {
      respondStatus(stream, status ?? { code: Code.OK, details: '' }, this.ctx.log);
      return stopClientSending(stream);
    }
    try {
      const trailers = status ? statusHeaders(status) : OK_TRAILERS;
      stream.on('wantTrailers', () => {
        sendTrailers(stream, trailers);
        // A reset submitted now would go before the trailers (Node sends them on its next write).
        setImmediate(stopClientSending, stream);
      });
      stream.end();
    } catch (error) {
      this.ctx.log.debug({ err: (error as Error).message }, 'grpc stream not ended');
      abort(stream);
    }
  }

  /**
   * The call ends without its handler: it hears so once; `status`, if given, goes to the client,
   * after what was written, or (`cutIfQueued`: a deadline) instead of it.
   */
  cancel(status: CallStatus | undefined, cutIfQueued = false): void {
    if (this.over) return;
    // Trailers would queue behind what the client has not read (it may never): cut the stream instead.
    if (status && cutIfQueued && this.stream.writableLength > 0) {
      this.over = true;
      abort(this.stream, http2.constants.NGHTTP2_CANCEL);
    } else if (status) this.end(status);
    this.over = true;
    this.cancelled = true;
    clearTimeout(this.deadline);
    const listeners = this.cancelListeners;
    this.cancelListeners = [];
    for (const listener of listeners) listener();
  }
}

/** Ends a call with a status: as trailers-only when nothing was sent yet. */
export function respondStatus(stream: http2.ServerHttp2Stream, status: CallStatus, log: GrpcServerLogger): void {
  if (stream.destroyed || stream.closed) return;
  try {
    stream.respond({ ...RESPONSE_HEADERS, ...statusHeaders(status) }, END_STREAM);
  } catch (error) {
    log.debug({ err: (error as Error).message }, 'grpc status not sent');
    abort(stream);
  }
}

/** A stream whose answer could not be sent is reset, so its client does not wait for it forever. */
function abort(stream: http2.ServerHttp2Stream, code: number = http2.constants.NGHTTP2_INTERNAL_ERROR): void {
  if (!stream.destroyed && !stream.closed) stream.close(code);
}

function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  sendTrailers(this, OK_TRAILERS);
}

/** From a 'wantTrailers' listener, where a throw would be uncaught: a stream reset meanwhile gets none. */
function sendTrailers(stream: http2.ServerHttp2Stream, trailers: http2.OutgoingHttpHeaders): void {
  if (!stream.destroyed && !stream.closed) stream.sendTrailers(trailers);
}

/**
 * A call answered while its client still sends (a bidirectional one the server ended first) is
 * closed with RST_STREAM NO_ERROR after the status, as gRPC servers do (grpc-go's finishStream):
 * the client stops sending, and one that waits for the stream to close, not only for its
 * trailers (GrpcChannel), learns the call is over.
 */
function stopClientSending(stream: http2.ServerHttp2Stream): void {
  if (!stream.readableEnded && !stream.destroyed && !stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
}

function badRequestMessage(error: unknown): CallStatus {
  return { code: Code.INTERNAL, details: `Error deserializing request: ${(error as Error).message}` };
}

/** grpc-timeout's units (PROTOCOL-HTTP2.md: TimeoutValue TimeoutUnit, at most 8 digits), in ms. */
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };
const TIMEOUT = /^(\d{1,8})([HMSmun])$/;

/** The longest delay a Node timer takes (about 24.8 days); a deadline further away is as good as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The call's deadline from now in ms; undefined: none; null: the header is malformed. */
export function parseTimeout(header: string | string[] | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const match = TIMEOUT.exec(String(header));
  if (!match) return null;
  const ms = Math.ceil(Number(match[1]) * TIMEOUT_UNIT_MS[match[2]!]!);
  return ms > MAX_TIMER_MS ? undefined : ms;
}
