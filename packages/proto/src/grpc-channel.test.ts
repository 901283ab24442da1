import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcChannel, type GrpcError } from './grpc-channel';
import { Code } from './grpc-codes';
import { startGrpcServer, type GrpcMethod } from './grpc-server';
import type { GrpcServerLogger } from './grpc-server-call';
import { CallStatusError } from './grpc-server-status';

const silent: GrpcServerLogger = { debug() {}, warn() {}, error() {} };
const identity = (bytes: Buffer) => bytes;
function unary(handle: (request: Buffer) => Promise<Buffer>): GrpcMethod {
  return { responseStream: false, decode: identity as (bytes: Buffer) => never, encode: identity as (response: unknown) => Buffer, handle: handle as (request: never) => Promise<unknown> };
}

/** A raw HTTP/2 server whose answers the test writes by hand, for what a gRPC server would never do. */
async function rawServer(onStream: (stream: http2.ServerHttp2Stream) => void): Promise<{ port: number; close(): void }> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    onStream(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      for (const session of sessions) session.destroy();
      server.close();
    },
  };
}

describe('GrpcChannel unary deadlines', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('rejects DEADLINE_EXCEEDED in time on a connection a too-large trailer broke silently', async () => {
    // The first call's status carries ~200 KB of binary metadata: Node's client refuses the header
    // field and the connection stops answering without an error or a close; the second call, on
    // that connection while it is in flight, is never answered.
    const never: Array<() => void> = [];
    const methods = new Map<string, GrpcMethod>([
      ['/test.Wire/Huge', unary(async () => Promise.reject(new CallStatusError({ code: Code.INVALID_ARGUMENT, details: 'huge', metadata: { 'test-status-bin': Buffer.alloc(200_000, 1) } })))],
      ['/test.Wire/Never', unary(() => new Promise<Buffer>((resolve) => never.push(() => resolve(Buffer.alloc(0)))))],
    ]);
    const server = await startGrpcServer({
      bindAddress: '127.0.0.1',
      port: 0,
      methods,
      statusOf: (error) => (error as CallStatusError).status,
      maxReceiveMessageBytes: 1 << 20,
      log: silent,
    });
    cleanups.push(() => void server.close(0));
    const channel = new GrpcChannel(`127.0.0.1:${server.port}`);
    cleanups.push(() => channel.close());
    await channel.unary('/test.Wire/Never', Buffer.from('warm'), 50).catch(() => undefined);
    const second = channel.unary('/test.Wire/Never', Buffer.from('b'), 300).catch((e: GrpcError) => e);
    const huge = channel.unary('/test.Wire/Huge', Buffer.from('a'), 300).catch((e: GrpcError) => e);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still pending'), 3_000).unref());
    expect(((await Promise.race([huge, timeout])) as GrpcError).code).toBeTypeOf('number');
    const result = await Promise.race([second, timeout]);
    expect((result as GrpcError).code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it('rejects DEADLINE_EXCEEDED in time against a server that never answers', async () => {
    const server = await rawServer((stream) => stream.on('data', () => {}));
    cleanups.push(server.close);
    const channel = new GrpcChannel(`127.0.0.1:${server.port}`);
    cleanups.push(() => channel.close());
    const error = (await channel.unary('/test.Service/Never', Buffer.from('b'), 100).catch((e: GrpcError) => e)) as GrpcError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it('rejects CANCELLED at once when the signal aborts, on a broken connection too', async () => {
    let calls = 0;
    const server = await rawServer((stream) => {
      stream.on('data', () => {});
      if (calls++ > 0) return;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '3', 'x-huge-bin': Buffer.alloc(100_000, 1).toString('base64') }));
      stream.end();
    });
    cleanups.push(server.close);
    const channel = new GrpcChannel(`127.0.0.1:${server.port}`);
    cleanups.push(() => channel.close());
    await channel.unary('/test.Service/Huge', Buffer.from('a'), 300).catch(() => undefined);
    const abort = new AbortController();
    const pending = channel.unary('/test.Service/Never', Buffer.from('b'), 60_000, abort.signal).catch((e: GrpcError) => e);
    abort.abort();
    const result = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('still pending'), 2_000).unref())]);
    expect((result as GrpcError).code).toBe(Code.CANCELLED);
  });
});
