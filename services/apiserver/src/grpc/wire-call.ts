import * as http2 from 'node:http2';
import type { Logger } from '@kubelab/component-base';
import { frame } from '@kubelab/proto';
import { Code } from '@kubelab/proto';
import { requestReader } from './message-reader';
import { CallStatusError, OK_TRAILERS, statusHeaders, type CallStatus } from './wire-status';

/**
 * One call on the wire: reading its request message, and answering it as gRPC over HTTP/2 says
 * (PROTOCOL-HTTP2.md): response headers, the messages, then trailers with the status; or, when
 * nothing was sent yet, one HEADERS frame carrying the status too ("trailers-only"). Handlers
 * never see the stream: they return or throw (unary), or write to a ServerStream.
 */

/** What every call shares from its server. */
export interface CallContext {
  maxReceiveMessageBytes: number;
  /** Bytes a server stream may have waiting for its client before the call is cut. */
  maxQueuedBytes: number;
  /** The status that a handler's error ends its call with. */
  statusOf(error: unknown): CallStatus;
  log: Logger;
}

export interface UnaryMethod<Req = never, Res = unknown> {
  responseStream: false;
  decode(bytes: Buffer): Req;
  encode(response: Res): Buffer;
  handle(request: Req): Promise<Res>;
}

export interface ServerStreamingMethod<Req = never, Res = unknown> {
  responseStream: true;
  decode(bytes: Buffer): Req;
  encode(message: Res): Buffer;
  /** Writes to `call` until it calls `call.end()`; a rejection before then ends the call with its status. */
  handle(request: Req, call: ServerStream<Res>): Promise<void>;
}

/** The sending half of a server-streaming call, as its handler sees it. */
export interface ServerStream<Res> {
  /** Sends one message (the response headers go first, with the first one). */
  write(message: Res): void;
  /** Ends the call with status OK, after every message written. */
  end(): void;
  /** The call ended without the handler: the client cancelled or went away, the deadline passed, or it stopped reading. */
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
      pending = method.handle(request);
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
  readRequest(stream, headers, ctx, (status) => call.finish(status), (bytes) => {
    let request: never;
    try {
      request = method.decode(bytes);
    } catch (error) {
      return call.finish(badRequestMessage(error));
    }
    Promise.resolve()
      .then(() => method.handle(request, call))
      .catch((error: unknown) => call.finish(ctx.statusOf(error)));
  });
}

/**
 * Reads the one request message of a call and hands it on as soon as it is complete (a client
 * half-closes after it; nothing waits for that). A refused message, or none before the client's
 * end, is answered with `refuse`. Data after the message, or after the call was answered, is
 * read and dropped, so the stream can close.
 */
function readRequest(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ctx: CallContext, refuse: (status: CallStatus) => void, onRequest: (message: Buffer) => void): void {
  const reader = requestReader(ctx.maxReceiveMessageBytes, headers['grpc-encoding'] as string | undefined);
  let state: 'reading' | 'read' | 'refused' = 'reading';
  let message: Buffer | undefined;
  stream.on('data', (chunk: Buffer) => {
    if (state !== 'reading') return;
    try {
      reader.push(chunk, (bytes) => (message ??= bytes));
    } catch (error) {
      state = 'refused';
      return refuse(error instanceof CallStatusError ? error.status : { code: Code.INTERNAL, details: (error as Error).message });
    }
    if (message !== undefined) {
      state = 'read';
      onRequest(message);
    }
  });
  stream.on('end', () => {
    if (state === 'reading') refuse({ code: Code.INTERNAL, details: `Received no request message for ${headers[':path']}` });
  });
}

/** A server stream's state: written to by its handler, ended by it, or cancelled from outside. */
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

  end(): void {
    this.finish(undefined);
  }

  onCancel(listener: () => void): void {
    if (this.cancelled) queueMicrotask(listener);
    else if (!this.over) this.cancelListeners.push(listener);
  }

  setDeadline(timeoutMs: number): void {
    this.deadline = setTimeout(() => this.cancel(DEADLINE_EXCEEDED), timeoutMs);
  }

  /** Ends the call: status OK (undefined) after the messages, or the status given. */
  finish(status: CallStatus | undefined): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.deadline);
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    if (!this.headersSent) return respondStatus(stream, status ?? { code: Code.OK, details: '' }, this.ctx.log);
    try {
      const trailers = status ? statusHeaders(status) : OK_TRAILERS;
      stream.on('wantTrailers', () => sendTrailers(stream, trailers));
      stream.end();
    } catch (error) {
      this.ctx.log.debug({ err: (error as Error).message }, 'grpc stream not ended');
      abort(stream);
    }
  }

  /** The call ends without its handler: it hears so once; `status`, if given, goes to the client. */
  private cancel(status: CallStatus | undefined): void {
    if (this.over) return;
    // Trailers would queue behind what the client has not read (it may never): cut the stream instead.
    if (status && this.stream.writableLength > 0) {
      this.over = true;
      abort(this.stream, http2.constants.NGHTTP2_CANCEL);
    } else if (status) this.finish(status);
    this.over = true;
    this.cancelled = true;
    clearTimeout(this.deadline);
    const listeners = this.cancelListeners;
    this.cancelListeners = [];
    for (const listener of listeners) listener();
  }
}

/** Ends a call with a status: as trailers-only when nothing was sent yet. */
export function respondStatus(stream: http2.ServerHttp2Stream, status: CallStatus, log: Logger): void {
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
