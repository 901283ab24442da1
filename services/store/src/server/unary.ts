import type { RequestListener, ServerStream } from '@kubelab/proto';

/**
 * A method of an etcd service as the store implements it, without its codecs (those come from
 * @kubelab/proto's service definitions, in etcd-server.ts): a unary one answers one request; a
 * bidirectional one (Watch, LeaseKeepAlive) hears the requests of a stream and writes to it.
 */
export type EtcdHandler =
  | { kind: 'unary'; handle(request: never): Promise<unknown> }
  | { kind: 'bidi'; open(call: ServerStream<unknown>): RequestListener<never> };

/** One etcd service's methods by name (as in rpc.proto). */
export type ServiceHandlers = Record<string, EtcdHandler>;

/**
 * A unary method from a plain function: its result (or what it resolves to) is the response,
 * anything it throws becomes the gRPC status the client sees (toCallStatus, errors.ts). No request can
 * crash the process from here.
 */
export function unary<Req, Res>(handler: (request: Req) => Promise<Res> | Res): EtcdHandler {
  return {
    kind: 'unary',
    handle: ((request: Req) => Promise.resolve(handler(request))) as (request: never) => Promise<unknown>,
  };
}

/** A bidirectional method: `open` runs as the stream opens and returns what hears its requests. */
export function bidi<Req, Res>(open: (call: ServerStream<Res>) => RequestListener<Req>): EtcdHandler {
  return { kind: 'bidi', open: open as unknown as (call: ServerStream<unknown>) => RequestListener<never> };
}
