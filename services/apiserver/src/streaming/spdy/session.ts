import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { HeaderCompression } from './header-compression';
import {
  decodeHeaderBlock,
  encodeData,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  readFrame,
  RstStatus,
  SpdyProtocolError,
  type Frame,
  type SpdyHeaders,
} from './frames';

/** Where a session's bytes go: a TCP socket (plain SPDY) or a WebSocket carrying SPDY (kubectl's tunnel). */
export interface SpdyTransport {
  /** Sends bytes; `sent` is called once the connection has taken them (written to the socket), or has failed. */
  write(bytes: Buffer, sent: () => void): void;
  /** Ends the connection once everything written has been sent. */
  end(): void;
  /** Stops reading from the peer while a stream's reader is behind (TCP then slows the peer). */
  pause?(): void;
  resume?(): void;
}

/** The largest DATA frame a session sends (writes are split into frames of this size). */
const MAX_DATA_FRAME = 64 * 1024;

/**
 * One SPDY stream as a Node Duplex: what the peer sends is read, what is written goes out as
 * DATA frames, end() sends FIN (a half-close). A RST_STREAM from the peer, or the connection
 * going away, destroys it (a 'close' without error).
 *
 * Both directions keep Node's backpressure: a write completes only once the connection has
 * taken its frames (so write() returns false while the peer is slow to read), and data nobody
 * reads beyond the stream's buffer makes the session stop reading the connection until it is read.
 */
export class SpdyStream extends Duplex {
  /** The SYN_STREAM's headers, lowercase names, first value of each. */
  readonly headers: Record<string, string>;
  private remoteFinished = false;
  private localFinished = false;

  constructor(
    readonly id: number,
    readonly rawHeaders: SpdyHeaders,
    private readonly session: SpdySession,
    unidirectional: boolean,
  ) {
    super({ allowHalfOpen: true });
    this.headers = Object.fromEntries(Object.entries(rawHeaders).map(([name, values]) => [name, values[0] ?? '']));
    if (unidirectional) this.localFinished = true;
  }

  /** Aborts the stream (RST_STREAM CANCEL unless another status is given). */
  reset(status: number = RstStatus.Cancel): void {
    if (this.destroyed) return;
    this.session.sendFrame(encodeRstStream(this.id, status));
    this.destroy();
  }

  override _read(): void {
    this.session.readerCaughtUp(this);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.localFinished || chunk.length === 0) return callback();
    for (let at = 0; at < chunk.length; at += MAX_DATA_FRAME) {
      const last = at + MAX_DATA_FRAME >= chunk.length;
      this.session.sendFrame(encodeData(this.id, chunk.subarray(at, at + MAX_DATA_FRAME)), last ? () => callback() : undefined);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.localFinished) {
      this.localFinished = true;
      this.session.sendFrame(encodeData(this.id, Buffer.alloc(0), true));
    }
    this.settleIfDone();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.session.forget(this.id);
    this.session.readerCaughtUp(this);
    callback(error);
  }

  /** @internal DATA (or FIN) from the peer. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteFinished || this.destroyed) return;
    // Beyond the stream's buffer: the connection waits until this stream is read (_read).
    if (data.length > 0 && !this.push(data)) this.session.readerBehind(this);
    if (fin) {
      this.remoteFinished = true;
      this.push(null);
      this.settleIfDone();
    }
  }

  private settleIfDone(): void {
    if (this.remoteFinished && this.localFinished) this.session.forget(this.id);
  }
}

const noop = () => {};

/**
 * The server side of a SPDY/3.1 connection, as the kubelet (and the apiserver, for kubectl) runs
 * it: the client opens streams (SYN_STREAM), the session answers each with SYN_REPLY and hands
 * it out as a 'stream' event; PINGs are answered; GOAWAY and a closed transport end everything.
 * SPDY flow control is not enforced: Kubernetes' own SPDY library (spdystream) sends no
 * WINDOW_UPDATEs, so windows are ignored both ways, as it ignores them. Backpressure comes from
 * the connection instead: a stream whose reader is behind stops the session reading the
 * connection (as a blocked spdystream stream stalls its connection), and writes wait for the
 * connection to take their frames.
 *
 * Events: 'stream' (SpdyStream), 'close' (), 'error' (a broken frame: GOAWAY was sent).
 */
let sessions = 0;

export class SpdySession extends EventEmitter {
  /** Names the connection in messages, as Kubernetes prints its connection's address. */
  readonly label = `0x${(0xc000100000 + ++sessions * 0x1000).toString(16)}`;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = new HeaderCompression('decompress');
  private readonly deflate = new HeaderCompression('compress');
  private pending: Buffer = Buffer.alloc(0);
  /** Frames are handled one after another (header blocks decompress asynchronously). */
  private inbound: Promise<void> = Promise.resolve();
  /** Frames go out in order (header blocks compress asynchronously). */
  private outbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;
  /** Streams whose reader is behind: while there is one, the transport is not read. */
  private readonly behind = new Set<SpdyStream>();

  constructor(private readonly transport: SpdyTransport) {
    super();
  }

  /** Bytes from the transport. */
  feed(chunk: Buffer): void {
    if (this.closed) return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    try {
      for (;;) {
        const read = readFrame(this.pending, offset);
        if (!read) break;
        offset += read.size;
        const frame = read.frame;
        this.inbound = this.inbound.then(() => this.handle(frame)).catch((error: unknown) => this.fail(error));
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(offset));
  }

  /** The transport has closed: every stream ends. */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.destroy();
    this.streams.clear();
    this.behind.clear();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }

  /** Says GOAWAY and ends the connection once everything queued has been sent. */
  close(status = 0): void {
    if (this.closed) return;
    this.sendFrame(encodeGoAway(this.lastStreamId, status));
    this.outbound = this.outbound.then(() => this.transport.end());
  }

  /** @internal Queues a frame; `sent` once the transport has taken it (at once if the session is closed). */
  sendFrame(frame: Buffer | (() => Promise<Buffer>), sent?: () => void): void {
    if (this.closed) return sent?.();
    this.outbound = this.outbound
      .then(async () => {
        const bytes = typeof frame === 'function' ? await frame() : frame;
        if (this.closed) return sent?.();
        this.transport.write(bytes, sent ?? noop);
      })
      .catch((error: unknown) => {
        sent?.();
        this.fail(error);
      });
  }

  /** @internal A stream's reader has more than the stream buffers: stop reading the connection. */
  readerBehind(stream: SpdyStream): void {
    if (this.closed || this.behind.has(stream)) return;
    this.behind.add(stream);
    if (this.behind.size === 1) this.transport.pause?.();
  }

  /** @internal The stream wants more (or is gone): read the connection again once no stream is behind. */
  readerCaughtUp(stream: SpdyStream): void {
    if (!this.behind.delete(stream) || this.closed) return;
    if (this.behind.size === 0) this.transport.resume?.();
  }

  /** @internal A stream that is done on both sides (or destroyed). */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case 'SYN_STREAM': {
        const headers = decodeHeaderBlock(await this.inflate.process(frame.headerBlock));
        // Client streams are odd and increase; anything else is refused.
        if (frame.streamId % 2 === 0 || frame.streamId <= this.lastStreamId || this.streams.has(frame.streamId)) {
          this.sendFrame(encodeRstStream(frame.streamId, RstStatus.ProtocolError));
          return;
        }
        this.lastStreamId = frame.streamId;
        const stream = new SpdyStream(frame.streamId, headers, this, (frame.flags & FLAG_UNIDIRECTIONAL) !== 0);
        this.streams.set(frame.streamId, stream);
        this.sendFrame(() => this.deflate.process(encodeHeaderBlock({})).then((block) => encodeSynReply(frame.streamId, block)));
        if (frame.flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
        this.emit('stream', stream);
        return;
      }
      case 'DATA': {
        const stream = this.streams.get(frame.streamId);
        if (stream) stream.receive(frame.data, (frame.flags & FLAG_FIN) !== 0);
        return;
      }
      case 'RST_STREAM':
        this.streams.get(frame.streamId)?.destroy();
        return;
      case 'PING':
        // The peer's pings (odd ids from a client) are echoed; ours would be even.
        if (frame.id % 2 === 1) this.sendFrame(encodePing(frame.id));
        return;
      case 'HEADERS':
        // Keeps the decompression context in step; kubectl never sends any.
        await this.inflate.process(frame.headerBlock);
        if (frame.flags & FLAG_FIN) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      case 'SYN_REPLY':
        await this.inflate.process(frame.headerBlock);
        return;
      case 'GOAWAY':
      case 'SETTINGS':
      case 'WINDOW_UPDATE':
      case 'UNKNOWN':
        return;
    }
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.emit('error', error instanceof Error ? error : new SpdyProtocolError(String(error)));
    this.close(1);
  }
}
