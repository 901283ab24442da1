import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcChannel, type GrpcError } from './grpc-channel';
import { Code } from './grpc-codes';
import { startGrpcServer, type GrpcMethod, type GrpcServer } from './grpc-server';
import { requestReader, type GrpcServerLogger, type RequestListener, type ServerStream } from './grpc-server-call';
import { CallStatusError, type CallStatus } from './grpc-server-status';

/**
 * The transport alone, with tiny handlers whose timing the tests control, driven by grpc-js'
 * client, by GrpcChannel (node:http2, what ObjectsClient and the apiserver's etcd client use),
 * and by raw HTTP/2 requests for what only the wire shows.
 */

const silent: GrpcServerLogger = { debug() {}, warn() {}, error() {} };

/** Polls `check` until it returns something truthy, or fails after `timeoutMs` naming what it waited for. */
async function waitFor<T>(check: () => T, { what, timeoutMs = 10_000 }: { what: string; timeoutMs?: number }): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const identity = (bytes: Buffer) => bytes;
const MAX_MESSAGE = 64 * 1024;
/** A status with what plain text would lose: quotes, '%', non-ASCII; and binary metadata. */
const FAILURE: CallStatus = { code: Code.NOT_FOUND, details: 'pods "ü%20" not found', metadata: { 'test-status-bin': Buffer.from([0, 1, 2, 0xfe, 0xff]) } };

/** The Slow method's calls, each waiting for the test to release it. */
const slowCalls: Array<(response: Buffer) => void> = [];
/** The Watch method's calls: the test writes to them and sees whether they were cancelled. */
const streams: Array<ServerStream<Buffer>> = [];

/** A Chat call as its handler saw it: the requests, the half-close, the cancel; and the call, to write to or end. */
interface Chat {
  call: ServerStream<Buffer>;
  requests: string[];
  halfClosed: boolean;
  cancelled: boolean;
}
const chats: Chat[] = [];

/**
 * A bidirectional method: it answers each request "echo:<request>" at once; "end" makes it end
 * the call (status OK), "fail" makes it throw; when the client half-closes it says "bye" and ends.
 */
function openChat(call: ServerStream<Buffer>): RequestListener<Buffer> {
  const chat: Chat = { call, requests: [], halfClosed: false, cancelled: false };
  chats.push(chat);
  call.onCancel(() => (chat.cancelled = true));
  return {
    onMessage(request) {
      const text = request.toString();
      chat.requests.push(text);
      if (text === 'fail') throw new CallStatusError(FAILURE);
      call.write(Buffer.from(`echo:${text}`));
      if (text === 'end') call.end();
    },
    onHalfClose() {
      chat.halfClosed = true;
      call.write(Buffer.from('bye'));
      call.end();
    },
  };
}

const methods = new Map<string, GrpcMethod>([
  ['/test.Wire/Chat', { requestStream: true, responseStream: true, decode: identity as (bytes: Buffer) => never, encode: identity, open: openChat as (call: ServerStream<unknown>) => RequestListener<never> }],
  [
    '/test.Wire/Echo',
    {
      responseStream: false,
      decode: identity as (bytes: Buffer) => never,
      encode: identity,
      handle: (async (request: Buffer) => {
        if (request.toString() === 'fail') throw new CallStatusError(FAILURE);
        if (request.toString() === 'crash') throw new Error('handler crashed');
        return request;
      }) as (request: never) => Promise<unknown>,
    },
  ],
  ['/test.Wire/Slow', { responseStream: false, decode: identity as (bytes: Buffer) => never, encode: identity, handle: () => new Promise<Buffer>((resolve) => slowCalls.push(resolve)) }],
  [
    '/test.Wire/Watch',
    {
      responseStream: true,
      decode: identity as (bytes: Buffer) => never,
      encode: identity,
      handle: (async (request: Buffer, call: ServerStream<Buffer>) => {
        if (request.toString() === 'refuse') throw new CallStatusError(FAILURE);
        call.write(Buffer.from('first'));
        if (request.toString() === 'short') return call.end();
        streams.push(call);
      }) as (request: never, call: ServerStream<unknown>) => Promise<void>,
    },
  ],
]);

let server: GrpcServer;
let address: string;
let client: grpc.Client;
let channel: GrpcChannel;

beforeAll(async () => {
  server = await startGrpcServer({
    bindAddress: '127.0.0.1',
    port: 0,
    methods,
    statusOf: (error) => (error instanceof CallStatusError ? error.status : { code: Code.INTERNAL, details: (error as Error).message }),
    maxReceiveMessageBytes: MAX_MESSAGE,
    maxQueuedBytes: 1 << 20,
    log: silent,
  });
  address = `127.0.0.1:${server.port}`;
  client = new grpc.Client(address, grpc.credentials.createInsecure());
  channel = new GrpcChannel(address);
});

afterAll(async () => {
  client?.close();
  channel?.close();
  await server?.close(0);
});

/** A unary call with grpc-js' client: the response, or the ServiceError. */
function grpcUnary(path: string, request: Buffer, deadlineMs = 10_000): Promise<Buffer | grpc.ServiceError> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, request, { deadline: Date.now() + deadlineMs }, (error, response) => resolve(error ?? response!));
  });
}

/** A server-streaming call with grpc-js' client: what it received and how it ended. */
function grpcStream(path: string, request: Buffer) {
  const call = client.makeServerStreamRequest(path, identity, identity, request);
  const result = { messages: [] as string[], status: undefined as grpc.StatusObject | undefined, error: undefined as grpc.ServiceError | undefined, call };
  call.on('data', (message: Buffer) => result.messages.push(message.toString()));
  call.on('error', (error: grpc.ServiceError) => (result.error = error));
  call.on('status', (status: grpc.StatusObject) => (result.status = status));
  return result;
}

/** A raw HTTP/2 request: the response headers, the DATA and the trailers, as they were on the wire. */
function rawCall(path: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}) {
  return new Promise<{ headers: http2.IncomingHttpHeaders; data: Buffer; trailers: http2.IncomingHttpHeaders | undefined }>((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const data: Buffer[] = [];
    stream.on('response', (h) => (responseHeaders = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (chunk: Buffer) => data.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      session.close();
      resolve({ headers: responseHeaders, data: Buffer.concat(data), trailers });
    });
    stream.end(body);
  });
}

function framed(message: Buffer, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

describe('the gRPC server', () => {
  it('answers a unary call to grpc-js and to GrpcChannel', async () => {
    expect((await grpcUnary('/test.Wire/Echo', Buffer.from('hello'))).toString()).toBe('hello');
    expect((await channel.unary('/test.Wire/Echo', Buffer.from('hi there'), 10_000)).toString()).toBe('hi there');
    // An empty message is a message.
    expect((await channel.unary('/test.Wire/Echo', Buffer.alloc(0), 10_000)).length).toBe(0);
  });

  it('reads a request spread over many DATA frames, up to the limit', async () => {
    const big = Buffer.alloc(MAX_MESSAGE, 'x');
    expect(((await grpcUnary('/test.Wire/Echo', big)) as Buffer).length).toBe(MAX_MESSAGE);
    expect((await channel.unary('/test.Wire/Echo', big, 10_000)).equals(big)).toBe(true);
  });

  it('ends a failed call with its code, its message and its binary metadata, as grpc-js reads them', async () => {
    const error = (await grpcUnary('/test.Wire/Echo', Buffer.from('fail'))) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe('pods "ü%20" not found');
    expect(error.metadata.get('test-status-bin')[0]).toEqual(Buffer.from([0, 1, 2, 0xfe, 0xff]));

    const viaChannel = (await channel.unary('/test.Wire/Echo', Buffer.from('fail'), 10_000).catch((e: unknown) => e)) as GrpcError;
    expect(viaChannel.code).toBe(Code.NOT_FOUND);
    expect(viaChannel.details).toBe('pods "ü%20" not found');
  });

  it('puts the status of a failed call in one HEADERS frame, percent-encoded, binary metadata as unpadded base64', async () => {
    const { headers, data, trailers } = await rawCall('/test.Wire/Echo', framed(Buffer.from('fail')));
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('application/grpc');
    expect(headers['grpc-status']).toBe('5');
    expect(headers['grpc-message']).toBe('pods "%C3%BC%2520" not found');
    expect(headers['test-status-bin']).toBe('AAEC/v8');
    expect(data.length).toBe(0);
    expect(trailers).toBeUndefined();
  });

  it('answers a success as headers, one message, and trailers with status OK', async () => {
    const { headers, data, trailers } = await rawCall('/test.Wire/Echo', framed(Buffer.from('ok')));
    expect(headers[':status']).toBe(200);
    expect(headers['grpc-status']).toBeUndefined();
    expect(data.equals(framed(Buffer.from('ok')))).toBe(true);
    expect(trailers?.['grpc-status']).toBe('0');
  });

  it('a handler that throws something else ends the call with the status statusOf gives', async () => {
    const error = (await grpcUnary('/test.Wire/Echo', Buffer.from('crash'))) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.details).toBe('handler crashed');
  });

  it('answers an unknown method UNIMPLEMENTED and a request that is not gRPC with HTTP 415', async () => {
    const error = (await grpcUnary('/test.Wire/Nope', Buffer.from('x'))) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error.details).toBe('The server does not implement the method /test.Wire/Nope');
    const notGrpc = await rawCall('/test.Wire/Echo', Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(notGrpc.headers[':status']).toBe(415);
  });

  it('refuses a message over the limit before reading it, with grpc-js words', async () => {
    const error = (await grpcUnary('/test.Wire/Echo', Buffer.alloc(MAX_MESSAGE + 1))) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toBe(`Received message larger than max (${MAX_MESSAGE + 1} vs. ${MAX_MESSAGE})`);
    // Only the prefix needs to arrive: the server answers with most of the message unsent.
    const prefix = framed(Buffer.alloc(0));
    prefix.writeUInt32BE(1 << 30, 1);
    const { headers } = await rawCall('/test.Wire/Echo', prefix);
    expect(headers['grpc-status']).toBe(String(Code.RESOURCE_EXHAUSTED));
  });

  it('refuses compressed messages: INTERNAL without an encoding, UNIMPLEMENTED for one it does not offer', async () => {
    const flagged = await rawCall('/test.Wire/Echo', framed(Buffer.from('x'), 1));
    expect(flagged.headers['grpc-status']).toBe(String(Code.INTERNAL));
    const gzip = await rawCall('/test.Wire/Echo', framed(Buffer.from('x'), 1), { 'grpc-encoding': 'gzip' });
    expect(gzip.headers['grpc-status']).toBe(String(Code.UNIMPLEMENTED));
    expect(decodeURIComponent(String(gzip.headers['grpc-message']))).toBe('Received message compressed with unsupported encoding "gzip"');
  });

  it('answers a request without a message, or with a malformed grpc-timeout, INTERNAL', async () => {
    expect((await rawCall('/test.Wire/Echo', Buffer.alloc(0))).headers['grpc-status']).toBe(String(Code.INTERNAL));
    const badTimeout = await rawCall('/test.Wire/Echo', framed(Buffer.from('x')), { 'grpc-timeout': '5 seconds' });
    expect(badTimeout.headers['grpc-status']).toBe(String(Code.INTERNAL));
  });

  it('ends a call whose deadline passes DEADLINE_EXCEEDED, drops the late result, and serves on', async () => {
    const before = slowCalls.length;
    // A raw request with its own grpc-timeout: the server's deadline, not the client's, ends it.
    const raw = rawCall('/test.Wire/Slow', framed(Buffer.from('x')), { 'grpc-timeout': '200m' });
    const viaGrpcJs = grpcUnary('/test.Wire/Slow', Buffer.from('x'), 300);
    await waitFor(() => slowCalls.length === before + 2, { what: 'both slow calls to reach the handler' });
    const { headers, data } = await raw;
    expect(headers['grpc-status']).toBe(String(Code.DEADLINE_EXCEEDED));
    expect(decodeURIComponent(String(headers['grpc-message']))).toBe('Deadline exceeded');
    expect(data.length).toBe(0);
    expect(((await viaGrpcJs) as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // The handlers answer late: nothing is sent, nothing breaks.
    for (const release of slowCalls.splice(before)) release(Buffer.from('late'));
    expect((await grpcUnary('/test.Wire/Echo', Buffer.from('still here'))).toString()).toBe('still here');
  });

  it('a call the client cancels is dropped quietly when its handler answers', async () => {
    const before = slowCalls.length;
    const call = client.makeUnaryRequest('/test.Wire/Slow', identity, identity, Buffer.from('x'), () => {});
    await waitFor(() => slowCalls.length === before + 1, { what: 'the slow call to reach the handler' });
    call.cancel();
    await new Promise<void>((resolve) => call.on('status', () => resolve()));
    slowCalls.splice(before)[0]!(Buffer.from('late'));
    expect((await channel.unary('/test.Wire/Echo', Buffer.from('after'), 10_000)).toString()).toBe('after');
  });

  it('streams messages and ends with status OK', async () => {
    const result = grpcStream('/test.Wire/Watch', Buffer.from('short'));
    await waitFor(() => result.status, { what: 'the stream to end' });
    expect(result.messages).toEqual(['first']);
    expect(result.status!.code).toBe(grpc.status.OK);
    expect(result.error).toBeUndefined();
  });

  it('refuses a stream with the handler status, before any message', async () => {
    const result = grpcStream('/test.Wire/Watch', Buffer.from('refuse'));
    await waitFor(() => result.status, { what: 'the stream to end' });
    expect(result.messages).toEqual([]);
    expect(result.status!.code).toBe(grpc.status.NOT_FOUND);
    expect(result.error?.metadata.get('test-status-bin')[0]).toEqual(Buffer.from([0, 1, 2, 0xfe, 0xff]));
  });

  it('tells the handler when a grpc-js client cancels its stream, and ends a GrpcChannel one with OK', async () => {
    const before = streams.length;
    const result = grpcStream('/test.Wire/Watch', Buffer.from('long'));
    await waitFor(() => result.messages.length === 1 && streams.length === before + 1, { what: 'the stream to start' });
    const call = streams[before]!;
    call.write(Buffer.from('second'));
    await waitFor(() => result.messages.length === 2, { what: 'the second message' });
    let cancelled = 0;
    call.onCancel(() => cancelled++);
    result.call.cancel();
    await waitFor(() => cancelled === 1, { what: 'the handler to hear of the cancel' });
    expect(call.cancelled).toBe(true);
    call.write(Buffer.from('to nobody'));
    call.end();

    // GrpcChannel: the same stream, ended by the server.
    const received: string[] = [];
    let ended: { error: GrpcError | undefined } | undefined;
    const stream = channel.stream('/test.Wire/Watch', (message) => received.push(message.toString()), (error) => (ended = { error }));
    stream.send(Buffer.from('long'));
    (stream as { end?: () => void }).end?.();
    await waitFor(() => received.length === 1 && streams.length === before + 2, { what: 'the GrpcChannel stream to start' });
    streams[before + 1]!.write(Buffer.from('second'));
    streams[before + 1]!.end();
    await waitFor(() => ended, { what: 'the GrpcChannel stream to end' });
    expect(received).toEqual(['first', 'second']);
    expect(ended!.error).toBeUndefined();
    expect(streams[before + 1]!.cancelled).toBe(false);
  });

  it('answers keepalive pings on an idle connection and never sends it away', async () => {
    const session = http2.connect(`http://${address}`);
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    session.on('error', () => {});
    // Node cancels a ping sent while it is still connecting.
    await new Promise((resolve) => session.once('connect', resolve));
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
    const stream = session.request({ ':method': 'POST', ':path': '/test.Wire/Echo', 'content-type': 'application/grpc', te: 'trailers' });
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on('trailers', resolve));
    stream.resume();
    stream.end(framed(Buffer.from('after pings')));
    expect((await trailers)['grpc-status']).toBe('0');
    expect(goaway).toBe(false);
    session.close();
  });

  it('cuts a stream whose client stops reading once too much waits for it', async () => {
    const before = streams.length;
    const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: 65_535 } });
    session.on('error', () => {});
    const stream = session.request({ ':method': 'POST', ':path': '/test.Wire/Watch', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => {});
    stream.pause(); // Never read: the flow-control window fills, then the server's queue.
    stream.end(framed(Buffer.from('long')));
    await waitFor(() => streams.length === before + 1, { what: 'the stream to start' });
    const call = streams[before]!;
    const closed = new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode ?? -1)));
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 40 && !call.cancelled; i++) call.write(chunk);
    expect(call.cancelled).toBe(true);
    expect(await closed).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    session.close();
  });
});

/** A Chat call from GrpcChannel: what it received, how it ended, and its stream to send on. */
function chat() {
  const result = { messages: [] as string[], ended: undefined as { error: GrpcError | undefined } | undefined };
  const stream = channel.stream('/test.Wire/Chat', (message) => result.messages.push(message.toString()), (error) => (result.ended = { error }));
  return { result, stream };
}

describe('bidirectional streaming', () => {
  it('hands each request to the handler as it arrives, answers in order, and hears the half-close', async () => {
    const before = chats.length;
    const { result, stream } = chat();
    stream.send(Buffer.from('a'));
    // Each request is answered before the next is sent: the handler got it without the client's end.
    await waitFor(() => result.messages.length === 1, { what: 'the first answer' });
    stream.send(Buffer.from('b'));
    stream.send(Buffer.alloc(0));
    stream.send(Buffer.from('c'));
    await waitFor(() => result.messages.length === 4, { what: 'four answers' });
    const handler = chats[before]!;
    expect(handler.halfClosed).toBe(false);
    stream.end();
    await waitFor(() => result.ended, { what: 'the call to end' });
    expect(result.messages).toEqual(['echo:a', 'echo:b', 'echo:', 'echo:c', 'bye']);
    expect(result.ended!.error).toBeUndefined();
    expect(handler.requests).toEqual(['a', 'b', '', 'c']);
    expect(handler.halfClosed).toBe(true);
    expect(handler.cancelled).toBe(false);
  });

  it('reads requests that share a DATA frame or span several, in order', async () => {
    const before = chats.length;
    const big = Buffer.alloc(MAX_MESSAGE, 'y');
    const wire = Buffer.concat([framed(Buffer.from('one')), framed(Buffer.from('two')), framed(big), framed(Buffer.from('three'))]);
    const { data, trailers } = await rawCall('/test.Wire/Chat', wire);
    expect(chats[before]!.requests).toEqual(['one', 'two', big.toString(), 'three']);
    expect(data.equals(Buffer.concat(['echo:one', 'echo:two', `echo:${big.toString()}`, 'echo:three', 'bye'].map((m) => framed(Buffer.from(m)))))).toBe(true);
    expect(trailers?.['grpc-status']).toBe('0');
  });

  it('tells the handler when the client cancels or goes away, and sends nothing after', async () => {
    const before = chats.length;
    /** A Chat call on its own connection, answered once. */
    const rawChat = async () => {
      const session = http2.connect(`http://${address}`);
      session.on('error', () => {});
      const stream = session.request({ ':method': 'POST', ':path': '/test.Wire/Chat', 'content-type': 'application/grpc', te: 'trailers' });
      stream.on('error', () => {});
      const answered = new Promise((resolve) => stream.once('data', resolve));
      stream.write(framed(Buffer.from('x')));
      await answered;
      return { session, stream };
    };
    // RST_STREAM CANCEL alone, as Go's gRPC client cancels (node:http2's destroy() sends just that).
    const cancelled = await rawChat();
    cancelled.stream.destroy();
    const handler = chats[before]!;
    await waitFor(() => handler.cancelled, { what: 'the handler to hear of the cancel' });
    expect(handler.call.cancelled).toBe(true);
    expect(handler.halfClosed).toBe(false);
    handler.call.write(Buffer.from('to nobody'));
    handler.call.end();
    cancelled.session.close();

    // A client whose connection drops.
    const gone = await rawChat();
    gone.session.destroy();
    await waitFor(() => chats[before + 1]?.cancelled, { what: 'the handler to hear the client went away' });
    expect(chats[before + 1]!.halfClosed).toBe(false);

    // grpc-js' and GrpcChannel's cancel half-close before they reset (node:http2's close() does):
    // the handler hears one or the other, and the call is over for the client.
    const call = client.makeBidiStreamRequest('/test.Wire/Chat', identity, identity);
    const received: string[] = [];
    call.on('data', (message: Buffer) => received.push(message.toString()));
    call.on('error', () => {});
    call.write(Buffer.from('y'));
    await waitFor(() => received.length === 1, { what: "grpc-js' first answer" });
    call.cancel();
    await waitFor(() => chats[before + 2]!.cancelled || chats[before + 2]!.halfClosed, { what: "the handler to hear grpc-js' call is over" });
    const viaChannel = chat();
    viaChannel.stream.send(Buffer.from('z'));
    await waitFor(() => viaChannel.result.messages.length === 1, { what: "GrpcChannel's first answer" });
    viaChannel.stream.cancel();
    await waitFor(() => chats[before + 3]!.cancelled || chats[before + 3]!.halfClosed, { what: "the handler to hear GrpcChannel's call is over" });
    expect(viaChannel.result.ended!.error!.code).toBe(Code.CANCELLED);
  });

  it('ends the call when the handler does, while the client still sends; the status reaches grpc-js and GrpcChannel', async () => {
    const { result, stream } = chat();
    stream.send(Buffer.from('end'));
    await waitFor(() => result.ended, { what: 'the call to end' });
    expect(result.messages).toEqual(['echo:end']);
    expect(result.ended!.error).toBeUndefined();
    stream.send(Buffer.from('late'));

    const call = client.makeBidiStreamRequest('/test.Wire/Chat', identity, identity);
    const received: string[] = [];
    let status: grpc.StatusObject | undefined;
    call.on('data', (message: Buffer) => received.push(message.toString()));
    call.on('status', (s: grpc.StatusObject) => (status = s));
    call.write(Buffer.from('one'));
    call.write(Buffer.from('end'));
    await waitFor(() => status, { what: "grpc-js' call to end" });
    expect(received).toEqual(['echo:one', 'echo:end']);
    expect(status!.code).toBe(grpc.status.OK);
  });

  it('ends the call with the status of a handler that throws, or of a request over the limit, and the handler hears a cancel', async () => {
    const before = chats.length;
    const failing = chat();
    failing.stream.send(Buffer.from('a'));
    failing.stream.send(Buffer.from('fail'));
    failing.stream.send(Buffer.from('never handled'));
    await waitFor(() => failing.result.ended, { what: 'the failed call to end' });
    expect(failing.result.messages).toEqual(['echo:a']);
    expect(failing.result.ended!.error!.code).toBe(Code.NOT_FOUND);
    expect(failing.result.ended!.error!.details).toBe('pods "ü%20" not found');
    expect(chats[before]!.cancelled).toBe(true);
    expect(chats[before]!.requests).toEqual(['a', 'fail']);

    const tooLarge = chat();
    tooLarge.stream.send(Buffer.from('small'));
    tooLarge.stream.send(Buffer.alloc(MAX_MESSAGE + 1));
    await waitFor(() => tooLarge.result.ended, { what: 'the refused call to end' });
    expect(tooLarge.result.ended!.error!.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(tooLarge.result.ended!.error!.details).toBe(`Received message larger than max (${MAX_MESSAGE + 1} vs. ${MAX_MESSAGE})`);
    expect(chats[before + 1]!.requests).toEqual(['small']);
    expect(chats[before + 1]!.cancelled).toBe(true);
  });

  it('cancels a call whose deadline passes: DEADLINE_EXCEEDED to the client, a cancel to the handler', async () => {
    const before = chats.length;
    const session = http2.connect(`http://${address}`);
    session.on('error', () => {});
    const stream = session.request({ ':method': 'POST', ':path': '/test.Wire/Chat', 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '100m' });
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => {
      stream.on('trailers', resolve);
      stream.on('close', () => resolve({}));
    });
    stream.on('error', () => {});
    stream.resume();
    stream.write(framed(Buffer.from('a')));
    await waitFor(() => chats[before]?.cancelled, { what: 'the deadline to cancel the handler' });
    expect((await trailers)['grpc-status']).toBe(String(Code.DEADLINE_EXCEEDED));
    stream.close();
    session.close();
  });
});

describe('closing the gRPC server', () => {
  it('lets an open call finish within the grace period, then cuts what is left', async () => {
    const closing = await startGrpcServer({ bindAddress: '127.0.0.1', port: 0, methods, statusOf: () => ({ code: Code.INTERNAL, details: 'x' }), maxReceiveMessageBytes: MAX_MESSAGE, log: silent });
    const closingClient = new grpc.Client(`127.0.0.1:${closing.port}`, grpc.credentials.createInsecure());
    const slow = (): Promise<Buffer | grpc.ServiceError> =>
      new Promise((resolve) => closingClient.makeUnaryRequest('/test.Wire/Slow', identity, identity, Buffer.from('x'), (error, response) => resolve(error ?? response!)));
    try {
      const before = slowCalls.length;
      const finishing = slow();
      const abandoned = slow();
      await waitFor(() => slowCalls.length === before + 2, { what: 'both calls to reach the handler' });
      const [finish] = slowCalls.splice(before, 1);
      let closed = false;
      const closingDone = closing.close(1_000).then(() => (closed = true));
      finish!(Buffer.from('made it'));
      expect(((await finishing) as Buffer).toString()).toBe('made it');
      expect(closed).toBe(false);
      await closingDone;
      // The other call's handler never answered: its connection was cut after the grace period.
      expect(((await abandoned) as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
      slowCalls.splice(before)[0]!(Buffer.from('too late'));
    } finally {
      closingClient.close();
    }
  });
});

describe('requestReader (FrameReader with the limits)', () => {
  it('cuts messages however the chunks fall, and hands a message inside one chunk on without a copy', () => {
    const messages = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(300, 7)];
    const wire = Buffer.concat(messages.map((m) => framed(m)));
    for (const size of [1, 2, 3, 5, 7, 64, wire.length]) {
      const reader = requestReader(1024, undefined);
      const read: Buffer[] = [];
      for (let offset = 0; offset < wire.length; offset += size) reader.push(wire.subarray(offset, offset + size), (m) => read.push(Buffer.from(m)));
      expect(read).toEqual(messages);
    }
    const chunk = framed(Buffer.from('inside'));
    let seen: Buffer | undefined;
    requestReader(1024, undefined).push(chunk, (m) => (seen = m));
    expect(seen!.buffer).toBe(chunk.buffer);
  });

  it('refuses a message over the limit from its prefix alone', () => {
    const prefix = framed(Buffer.alloc(0)).subarray(0, 5);
    prefix.writeUInt32BE(1025, 1);
    expect(() => requestReader(1024, undefined).push(prefix, () => {})).toThrow('Received message larger than max (1025 vs. 1024)');
  });
});
