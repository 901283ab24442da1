import * as http2 from 'node:http2';
import { Code } from './grpc-codes';
import {
  parseTimeout,
  respondStatus,
  serveBidiStreaming,
  serveServerStreaming,
  serveUnary,
  type BidiStreamingMethod,
  type CallContext,
  type GrpcServerLogger,
  type ServerStreamingMethod,
  type UnaryMethod,
} from './grpc-server-call';
import type { CallStatus } from './grpc-server-status';

export type GrpcMethod = UnaryMethod | ServerStreamingMethod | BidiStreamingMethod;

export interface GrpcServerOptions {
  bindAddress: string;
  /** 0: any free port. */
  port: number;
  /** The methods by their path, `/<package>.<Service>/<Method>`. */
  methods: ReadonlyMap<string, GrpcMethod>;
  /** The status that a handler's error ends its call with. */
  statusOf(error: unknown): CallStatus;
  maxReceiveMessageBytes: number;
  /** Bytes a server stream may have waiting for a client that does not read before it is cut (default 64 MiB). */
  maxQueuedBytes?: number;
  log: GrpcServerLogger;
}

export interface GrpcServer {
  /** The port it listens on (the chosen one, when asked for 0). */
  port: number;
  /** Stops accepting calls, gives open ones `graceMs` to finish, then cuts the connections. */
  close(graceMs: number): Promise<void>;
}

/**
 * Flow-control windows offered to clients: a stream may send 1 MiB and a connection 16 MiB
 * before waiting for a WINDOW_UPDATE (HTTP/2's default is 64 KiB for both), so a large object's
 * create, or many components' writes on one connection, do not wait for round trips.
 */
const STREAM_WINDOW_BYTES = 1 << 20;
const CONNECTION_WINDOW_BYTES = 16 << 20;

/**
 * A gRPC server on node:http2 (cleartext HTTP/2, as grpc.Server with insecure credentials
 * served): routing by path, the length-prefixed messages, deadlines (grpc-timeout), the status
 * in trailers, server and bidirectional streams. It replaces grpc-js' Server for the apiserver's
 * object API, which every component's call and watch goes through, and for the store's etcd v3
 * API, which every apiserver write goes through: grpc-js' layers (call objects, metadata,
 * interceptors, per-call timers and trackers, several promise hops) cost more of a one-threaded
 * process than the calls' own work. What clients see is the same: grpc-js' clients, Go's
 * (etcdctl) and the plain node:http2 GrpcChannel all speak to it.
 *
 * Node's HTTP/2 session answers the clients' keepalive PINGs itself (with no limit on how
 * often, as grpc.Server with keepalive_permit_without_calls), and nothing here sends GOAWAY
 * except close().
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { log, methods } = options;
  const ctx: CallContext = {
    maxReceiveMessageBytes: options.maxReceiveMessageBytes,
    maxQueuedBytes: options.maxQueuedBytes ?? 64 << 20,
    statusOf: options.statusOf,
    log,
  };
  const server = http2.createServer({
    settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    // In MB: node refuses new streams once a session holds this much (default 10), which a
    // connection whose watches queue events could reach; the limit is each stream's queue instead.
    maxSessionMemory: 1 << 20,
    // A failure's Kubernetes Status rides in the trailers; a large Invalid one must still go out.
    maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  let closing = false;
  server.on('session', (session: http2.ServerHttp2Session) => {
    // A connection accepted while closing is not served (close() no longer waits for it).
    if (closing) return session.destroy();
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    // A connection reset by a client that crashed is its business, not the server's.
    session.on('error', (error: Error) => log.debug({ err: error.message }, 'grpc connection failed'));
    session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    // Streams fail when their client resets them or the connection drops; the call's own 'close' handles that.
    stream.on('error', ignore);
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      // Not a gRPC request: HTTP's answer, as gRPC servers give it.
      if (!stream.destroyed && !stream.closed) stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    const path = headers[':path'] ?? '';
    const method = methods.get(path);
    if (!method) return respondStatus(stream, { code: Code.UNIMPLEMENTED, details: `The server does not implement the method ${path}` }, log);
    const timeoutMs = parseTimeout(headers['grpc-timeout']);
    if (timeoutMs === null) return respondStatus(stream, { code: Code.INTERNAL, details: `Invalid grpc-timeout value "${String(headers['grpc-timeout'])}"` }, log);
    if (method.requestStream) serveBidiStreaming(stream, headers, method, ctx, timeoutMs);
    else if (method.responseStream) serveServerStreaming(stream, headers, method, ctx, timeoutMs);
    else serveUnary(stream, headers, method, ctx, timeoutMs);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bindAddress, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
  server.on('error', (error: Error) => log.error({ err: error.message }, 'grpc server failed'));

  return {
    port,
    async close(graceMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // GOAWAY: no new calls; the open ones finish.
      for (const session of sessions) session.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(resolve, graceMs);
        const check = () => {
          if (sessions.size > 0) return;
          clearTimeout(force);
          resolve();
        };
        for (const session of sessions) session.once('close', check);
        check();
      });
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}

function ignore(): void {}
