import { describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import {
  decodeHeaderBlock,
  encodeData,
  encodeGoAway,
  encodeHeaderBlock,
  encodeHeaders,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynReply,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  readFrame,
  RstStatus,
  SpdyProtocolError,
  type Frame,
} from './frames';
import { HeaderCompression, SPDY_DICTIONARY } from './header-compression';
import { SpdySession, type SpdyStream } from './session';

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('SPDY/3.1 frames', () => {
  it('writes and reads back every frame type', () => {
    const block = Buffer.from('compressed headers');
    const cases: Array<[Buffer, Frame]> = [
      [encodeData(5, Buffer.from('hello'), true), { type: 'DATA', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hello') }],
      [encodeSynStream(7, block, { priority: 3, associatedStreamId: 1, flags: FLAG_FIN }), { type: 'SYN_STREAM', streamId: 7, associatedStreamId: 1, priority: 3, flags: FLAG_FIN, headerBlock: block }],
      [encodeSynReply(7, block), { type: 'SYN_REPLY', streamId: 7, flags: 0, headerBlock: block }],
      [encodeHeaders(9, block, FLAG_FIN), { type: 'HEADERS', streamId: 9, flags: FLAG_FIN, headerBlock: block }],
      [encodeRstStream(3, RstStatus.Cancel), { type: 'RST_STREAM', streamId: 3, status: 5 }],
      [encodeSettings([{ id: 7, value: 65536, flags: 1 }]), { type: 'SETTINGS', flags: 0, settings: [{ id: 7, value: 65536, flags: 1 }] }],
      [encodePing(0x80000001), { type: 'PING', id: 0x80000001 }],
      [encodeGoAway(11, 2), { type: 'GOAWAY', lastGoodStreamId: 11, status: 2 }],
      [encodeWindowUpdate(1, 1024), { type: 'WINDOW_UPDATE', streamId: 1, deltaWindowSize: 1024 }],
    ];
    for (const [bytes, frame] of cases) expect(readFrame(bytes)).toEqual({ frame, size: bytes.length });
  });

  it('puts the control bit, version 3 and the type in the first word', () => {
    const ping = encodePing(1);
    expect(ping.subarray(0, 8)).toEqual(Buffer.from([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04]));
    expect(encodeData(1, Buffer.from('x')).subarray(0, 8)).toEqual(Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]));
  });

  it('waits for a whole frame, and reads frames one after another', () => {
    const bytes = Buffer.concat([encodePing(1), encodeData(3, Buffer.from('abc'))]);
    for (let cut = 0; cut < 12; cut++) expect(readFrame(bytes.subarray(0, cut))).toBeUndefined();
    const first = readFrame(bytes)!;
    expect(first.frame).toEqual({ type: 'PING', id: 1 });
    expect(readFrame(bytes, first.size)?.frame).toEqual({ type: 'DATA', streamId: 3, flags: 0, data: Buffer.from('abc') });
  });

  it('refuses data on stream 0 and other versions', () => {
    expect(() => readFrame(encodeData(0, Buffer.alloc(0)))).toThrow(SpdyProtocolError);
    const v2 = encodePing(1);
    v2.writeUInt16BE(0x8002, 0);
    expect(() => readFrame(v2)).toThrow('unsupported SPDY version 2');
  });

  it('encodes header blocks with 32-bit lengths, lowercase names and NUL-joined values', () => {
    const block = encodeHeaderBlock({ StreamType: ['data'], 'x-many': ['a', 'b'] });
    expect(block.readUInt32BE(0)).toBe(2);
    expect(block.readUInt32BE(4)).toBe('streamtype'.length);
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: ['data'], 'x-many': ['a', 'b'] });
    expect(() => decodeHeaderBlock(block.subarray(0, block.length - 1))).toThrow('truncated header block');
  });
});

describe('SPDY header compression', () => {
  it('uses the SPDY/3 dictionary (1423 bytes; its Adler-32 is what peers check)', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(SPDY_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from('\0\0\0\x07options', 'latin1'));
    expect(SPDY_DICTIONARY.subarray(-16).toString('latin1')).toBe('-1,utf-,*,enq=0.');
    expect(adler32(SPDY_DICTIONARY).toString(16)).toBe('e3c6a7c2');
  });

  it('keeps one context per direction: later blocks only decode in order, after the earlier ones', async () => {
    const compress = new HeaderCompression('compress');
    const decompress = new HeaderCompression('decompress');
    const blocks = [{ streamtype: ['error'], port: ['8080'], requestid: ['0'] }, { streamtype: ['data'], port: ['8080'], requestid: ['0'] }, {}];
    const compressed = [];
    for (const headers of blocks) compressed.push(await compress.process(encodeHeaderBlock(headers as Record<string, string[]>)));
    // The zlib header (with the dictionary's id) only leads the first block.
    expect(compressed[0]!.readUInt32BE(2)).toBe(adler32(SPDY_DICTIONARY));
    expect(compressed[1]!.length).toBeLessThan(compressed[0]!.length);
    for (const [i, block] of compressed.entries()) expect(decodeHeaderBlock(await decompress.process(block))).toEqual(blocks[i]);
    const fresh = new HeaderCompression('decompress');
    await expect(fresh.process(compressed[1]!)).rejects.toThrow();
    for (const context of [compress, decompress, fresh]) context.close();
  });
});

/** The client side of a session, enough to drive the server: its own compression contexts and frame reader. */
class TestClient {
  readonly received: Frame[] = [];
  readonly compress = new HeaderCompression('compress');
  readonly decompress = new HeaderCompression('decompress');
  ended = false;
  /** Whether the session has the transport reading (pause / resume). */
  reading = true;
  /** A slow connection: writes wait here until flushed. */
  slow = false;
  private readonly unsent: Array<() => void> = [];
  private pending = Buffer.alloc(0);
  readonly session = new SpdySession({
    write: (bytes, sent) => {
      if (this.slow) this.unsent.push(sent);
      else sent();
      this.pending = Buffer.concat([this.pending, bytes]);
      for (let read = readFrame(this.pending); read; read = readFrame(this.pending)) {
        this.received.push(read.frame);
        this.pending = this.pending.subarray(read.size);
      }
    },
    end: () => {
      this.ended = true;
    },
    pause: () => {
      this.reading = false;
    },
    resume: () => {
      this.reading = true;
    },
  });

  /** The connection takes everything written so far. */
  flush(): void {
    for (const sent of this.unsent.splice(0)) sent();
  }
  readonly streams: SpdyStream[] = [];

  constructor() {
    this.session.on('stream', (stream: SpdyStream) => this.streams.push(stream));
  }

  async open(id: number, headers: Record<string, string[]>, flags = 0): Promise<Buffer> {
    return encodeSynStream(id, await this.compress.process(encodeHeaderBlock(headers as Record<string, string[]>)), { flags });
  }

  /** Header blocks (de)compress on zlib's thread pool: frames come out a moment later. */
  until<T>(check: () => T | undefined): Promise<T> {
    return waitFor(() => check() ?? false, { timeoutMs: 5_000, intervalMs: 2, what: 'the session to answer' }) as Promise<T>;
  }
}

describe('SPDY server session', () => {
  it('answers a SYN_STREAM with SYN_REPLY and hands the stream out with its headers', async () => {
    const client = new TestClient();
    // Byte by byte: frames split anywhere (as a WebSocket tunnel may split them) still parse.
    for (const byte of await client.open(1, { streamtype: ['data'], port: ['8080'], requestid: ['0'] })) client.session.feed(Buffer.from([byte]));
    const stream = await client.until(() => client.streams[0]);
    expect(stream.id).toBe(1);
    expect(stream.headers).toEqual({ streamtype: 'data', port: '8080', requestid: '0' });
    const reply = await client.until(() => client.received.find((f) => f.type === 'SYN_REPLY'));
    expect(reply).toMatchObject({ type: 'SYN_REPLY', streamId: 1, flags: 0 });
    expect(decodeHeaderBlock(await client.decompress.process((reply as { headerBlock: Buffer }).headerBlock))).toEqual({});
  });

  it('carries data both ways, with FIN as a half-close on each side', async () => {
    const client = new TestClient();
    client.session.feed(await client.open(1, { streamtype: ['data'] }));
    const stream = await client.until(() => client.streams[0]);
    const read: Buffer[] = [];
    let ended = false;
    stream.on('data', (chunk: Buffer) => read.push(chunk));
    stream.on('end', () => (ended = true));
    client.session.feed(Buffer.concat([encodeData(1, Buffer.from('ping ')), encodeData(1, Buffer.from('pong'), true)]));
    await client.until(() => (ended ? true : undefined));
    expect(Buffer.concat(read).toString()).toBe('ping pong');
    stream.write(Buffer.from('answer'));
    stream.end();
    const data = await client.until(() => {
      const frames = client.received.filter((f) => f.type === 'DATA');
      return frames.length === 2 ? frames : undefined;
    });
    expect(data).toEqual([
      { type: 'DATA', streamId: 1, flags: 0, data: Buffer.from('answer') },
      { type: 'DATA', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) },
    ]);
  });

  it('a write completes once the connection has taken it: a slow peer makes write() say wait', async () => {
    const client = new TestClient();
    client.slow = true;
    client.session.feed(await client.open(1, { streamtype: ['data'] }));
    const stream = await client.until(() => client.streams[0]);
    let drained = false;
    stream.on('drain', () => (drained = true));
    expect(stream.write(Buffer.alloc(256 * 1024))).toBe(false);
    expect(stream.write(Buffer.alloc(256 * 1024))).toBe(false);
    // The first write's four frames are out, not yet taken; the second waits in the stream, not in the session.
    await client.until(() => client.received.filter((f) => f.type === 'DATA').length === 4 || undefined);
    expect(stream.writableLength).toBe(512 * 1024);
    client.flush();
    await client.until(() => client.received.filter((f) => f.type === 'DATA').length === 8 || undefined);
    expect(stream.writableLength).toBe(256 * 1024);
    expect(drained).toBe(false);
    client.flush();
    await client.until(() => drained || undefined);
    expect(stream.writableLength).toBe(0);
  });

  it('stops reading the connection while a stream\'s reader is behind, and reads again when it catches up', async () => {
    const client = new TestClient();
    client.session.feed(await client.open(1, { streamtype: ['stdin'] }));
    const stream = await client.until(() => client.streams[0]);
    client.session.feed(encodeData(1, Buffer.alloc(8 * 1024)));
    await client.until(() => stream.readableLength === 8 * 1024 || undefined);
    expect(client.reading).toBe(true);
    client.session.feed(encodeData(1, Buffer.alloc(64 * 1024)));
    await client.until(() => !client.reading || undefined);
    let read = 0;
    stream.on('data', (chunk: Buffer) => (read += chunk.length));
    await client.until(() => client.reading || undefined);
    expect(read).toBe(72 * 1024);
    // A stream that goes away while behind does not keep the connection waiting.
    client.session.feed(await client.open(3, { streamtype: ['stdin'] }));
    const other = await client.until(() => client.streams[1]);
    client.session.feed(encodeData(3, Buffer.alloc(64 * 1024)));
    await client.until(() => !client.reading || undefined);
    other.destroy();
    expect(client.reading).toBe(true);
  });

  it('echoes the client\'s pings, closes a stream on RST_STREAM, refuses even stream ids', async () => {
    const client = new TestClient();
    client.session.feed(encodePing(7));
    expect(await client.until(() => client.received.find((f) => f.type === 'PING'))).toEqual({ type: 'PING', id: 7 });
    client.session.feed(await client.open(1, { streamtype: ['error'] }));
    const stream = await client.until(() => client.streams[0]);
    let closed = false;
    stream.on('close', () => (closed = true));
    client.session.feed(encodeRstStream(1, RstStatus.Cancel));
    await client.until(() => (closed ? true : undefined));
    client.session.feed(await client.open(2, { streamtype: ['data'] }));
    expect(await client.until(() => client.received.find((f) => f.type === 'RST_STREAM'))).toEqual({ type: 'RST_STREAM', streamId: 2, status: RstStatus.ProtocolError });
    expect(client.streams).toHaveLength(1);
  });

  it('says GOAWAY and ends the transport on close; a closed transport ends every stream', async () => {
    const client = new TestClient();
    client.session.feed(await client.open(1, { streamtype: ['data'] }));
    const stream = await client.until(() => client.streams[0]);
    client.session.close();
    expect(await client.until(() => client.received.find((f) => f.type === 'GOAWAY'))).toEqual({ type: 'GOAWAY', lastGoodStreamId: 1, status: 0 });
    await client.until(() => (client.ended ? true : undefined));
    let sessionClosed = false;
    client.session.on('close', () => (sessionClosed = true));
    client.session.transportClosed();
    expect(sessionClosed).toBe(true);
    expect(stream.destroyed).toBe(true);
  });

  it('breaks the connection on a frame it cannot read', async () => {
    const client = new TestClient();
    const errors: Error[] = [];
    client.session.on('error', (error: Error) => errors.push(error));
    client.session.feed(encodeData(0, Buffer.from('x')));
    expect(errors[0]?.message).toBe('stream id zero is disallowed');
    expect(await client.until(() => client.received.find((f) => f.type === 'GOAWAY'))).toEqual({ type: 'GOAWAY', lastGoodStreamId: 0, status: 1 });
  });
});
