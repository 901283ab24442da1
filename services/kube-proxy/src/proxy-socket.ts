import * as net from 'node:net';
import type { Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { AddressClaim } from './address-claim';
import type { Endpoint } from './endpoint';

/** Where a frontend's connections go, as the last sync decided. */
export interface ProxyRoute {
  /** The Service port (`namespace/name:port`), or a name for a fixed forward (an extra port mapping). */
  servicePort: string;
  /** The usable endpoints for this traffic; none: the socket is closed (clients get "connection refused"). */
  endpoints: readonly Endpoint[];
  /** sessionAffinity ClientIP's timeout, if the Service has it. */
  stickyMaxAgeSeconds: number | undefined;
}

/** Picks the endpoint for a new connection (the round-robin), skipping those that refused it already. */
export type EndpointPicker = (route: ProxyRoute, clientIP: string | undefined, exclude: ReadonlySet<string>) => Endpoint | undefined;

/** How a proxied connection ended up, for the metrics. */
export type ConnectionResult = 'forwarded' | 'no_endpoint' | 'failed';

export interface ProxySocketOptions {
  address: string;
  port: number;
  /** What the socket serves, for the logs: ClusterIP, NodePort, LoadBalancer, ExternalIP, extraPortMapping. */
  kind: string;
  pick: EndpointPicker;
  retryMs: number;
  clock: Clock;
  log: Logger;
  onConnection?: (result: ConnectionResult) => void;
}

/** Connect timeouts of the attempts on successive endpoints (the userspace proxier's 250 ms, 500 ms, 1 s, 2 s). */
const CONNECT_TIMEOUTS_MS = [250, 500, 1_000, 2_000];

/**
 * One listening address of a Service (kube-proxy's userspace proxySocket): it accepts TCP
 * connections and splices each to an endpoint chosen for it; when the endpoint refuses or does
 * not answer in time, the next one is tried. The socket is only open while the route has
 * endpoints, so a Service without endpoints refuses connections as iptables' REJECT rule does.
 * Connections already spliced live on when the route changes, and when the frontend itself goes
 * (`stop`): conntrack keeps a Service's established TCP flows whatever happens to the Service.
 */
export class ProxySocket {
  private route: ProxyRoute = { servicePort: '', endpoints: [], stickyMaxAgeSeconds: undefined };
  private readonly claim: AddressClaim<net.Server>;
  private readonly connections = new Set<net.Socket>();
  private stopping: Promise<void> | undefined;
  private onDrained: (() => void) | undefined;

  constructor(private readonly options: ProxySocketOptions) {
    this.claim = new AddressClaim<net.Server>({
      what: `tcp ${options.address}:${options.port} (${options.kind})`,
      bind: () => this.listen(),
      unbind: (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      retryMs: options.retryMs,
      clock: options.clock,
      log: options.log,
    });
  }

  get address(): string {
    return this.options.address;
  }

  get port(): number {
    return this.options.port;
  }

  /** Whether this process holds the address now. */
  get listening(): boolean {
    return this.claim.held !== undefined;
  }

  /** Whether it waits for another kube-proxy to let go of the address. */
  get waiting(): boolean {
    return this.claim.waiting;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** How many endpoints the current route has. */
  get endpointCount(): number {
    return this.route.endpoints.length;
  }

  get servicePort(): string {
    return this.route.servicePort;
  }

  /** Takes the route of the latest sync: opens the socket when it has endpoints, closes it when not. */
  setRoute(route: ProxyRoute): void {
    if (this.listening && route.endpoints.length === 0) this.options.log.info({ address: `${this.options.address}:${this.options.port}`, kind: this.options.kind }, 'no usable endpoints; closing the socket (connections are refused)');
    this.route = route;
    this.claim.want(route.endpoints.length > 0);
  }

  /**
   * Stops listening for good (the address is free at once, for another frontend to bind) and
   * leaves the connections it spliced to end on their own, as a Service edited or deleted leaves
   * its established flows. Resolves once the last of them has closed.
   */
  stop(): Promise<void> {
    this.stopping ??= Promise.all([
      this.claim.close(),
      new Promise<void>((resolve) => {
        if (this.connections.size === 0) resolve();
        else this.onDrained = resolve;
      }),
    ]).then(() => undefined);
    return this.stopping;
  }

  /** Stops listening and cuts the connections it spliced (kube-proxy itself going away). */
  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await Promise.all([this.claim.close(), this.stopping]);
  }

  private listen(): Promise<net.Server> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.address, port: this.options.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.options.log.warn({ address: this.options.address, port: this.options.port, err: error.message }, 'listener failed'));
        resolve(server);
      });
    });
  }

  private accept(client: net.Socket): void {
    const route = this.route;
    const clientIP = client.remoteAddress;
    const tried = new Set<string>();
    this.track(client);
    client.on('error', () => client.destroy());
    const attempt = (n: number): void => {
      if (client.destroyed) return;
      const endpoint = this.options.pick(route, clientIP, tried);
      if (!endpoint) {
        this.options.log.debug({ service: route.servicePort, client: clientIP, tried: [...tried] }, 'no endpoint accepted the connection');
        this.options.onConnection?.(tried.size ? 'failed' : 'no_endpoint');
        // A reset, as the REJECT rule's tcp-reset would answer.
        client.resetAndDestroy();
        return;
      }
      const upstream = net.connect({ host: endpoint.ip, port: endpoint.port, allowHalfOpen: true, noDelay: true });
      // As the userspace proxier dials: each try has a deadline (250 ms, 500 ms, 1 s, 2 s), and a
      // try that runs out is made again, on the next endpoint in turn, which is the same one when
      // it is the only one: a fresh SYN, where the kernel would resend a dropped one only after a
      // second (a server with a full accept queue drops it). The last try is waited for, as the
      // client's own connect would wait behind iptables: a busy server must not turn into a reset.
      let timedOut = false;
      const timer = n < CONNECT_TIMEOUTS_MS.length - 1 ? setTimeout(() => {
        timedOut = true;
        upstream.destroy(new Error(`connect timeout after ${CONNECT_TIMEOUTS_MS[n]} ms`));
      }, CONNECT_TIMEOUTS_MS[n]) : undefined;
      const abandon = () => upstream.destroy();
      client.once('close', abandon);
      upstream.once('connect', () => {
        clearTimeout(timer);
        client.off('close', abandon);
        upstream.removeAllListeners('error');
        this.splice(client, upstream);
        this.options.onConnection?.('forwarded');
      });
      upstream.once('error', (error) => {
        clearTimeout(timer);
        client.off('close', abandon);
        if (client.destroyed) return;
        this.options.log.debug({ service: route.servicePort, endpoint: endpoint.key, err: error.message }, timedOut ? 'endpoint did not answer in time; dialing again' : 'endpoint failed; trying the next');
        // A refusal rules the endpoint out for this connection; a slow answer does not.
        if (!timedOut) tried.add(endpoint.key);
        attempt(n + 1);
      });
    };
    attempt(0);
  }

  /**
   * Both directions, with back-pressure and half-close. An error on one side resets the other,
   * unless that side had already finished sending (its FIN came first): a server that closes
   * without reading our FIN answers it with a RST, and that must not cut off the response still
   * on its way to the client (kubelab's busybox httpd does exactly this): the other side gets the
   * rest and our FIN, and a reset only if it goes on sending (see `relay`).
   */
  private splice(client: net.Socket, upstream: net.Socket): void {
    this.track(upstream);
    // A client may have sent its FIN already, while the endpoint was being connected ('end' has
    // been emitted then: nothing had to be read first).
    const ended = new WeakSet<net.Socket>();
    for (const side of [client, upstream]) {
      if (side.readableEnded) ended.add(side);
      else side.once('end', () => ended.add(side));
    }
    const failed = (side: net.Socket, other: net.Socket) => () => {
      side.destroy();
      if (ended.has(side)) other.end();
      else other.destroy();
    };
    client.on('error', failed(client, upstream));
    upstream.on('error', failed(upstream, client));
    // A side that closed with data still unsent to it cannot take the rest: end the other too.
    client.on('close', () => upstream.writableEnded || upstream.end());
    upstream.on('close', () => client.writableEnded || client.end());
    relay(client, upstream);
    relay(upstream, client);
  }

  private track(socket: net.Socket): void {
    this.connections.add(socket);
    socket.once('close', () => {
      this.connections.delete(socket);
      if (this.connections.size === 0) this.onDrained?.();
    });
  }
}

/**
 * One direction of a spliced connection: each chunk written on at once (fewer hops than a stream
 * pipe, which matters for small request/response traffic), reading paused while the other side
 * is full, and the end of one side's data passed on as a half-close.
 *
 * When `to` is gone (reset after its FIN; see `splice`) while `from` may still send, nothing
 * `from` sends can be delivered. `from` gets what is still owed to it and our FIN, its data being
 * read and dropped meanwhile so that neither side waits on the other; then its socket is closed,
 * and the kernel answers whatever it sends after that with a reset, as the endpoint's own kernel
 * would on a cluster. (Left paused, `from` would never see its peer's FIN, and with allowHalfOpen
 * it would stay open for good. A reset of our own is no option: none can follow our FIN.)
 */
function relay(from: net.Socket, to: net.Socket): void {
  let orphaned = false;
  const orphan = () => {
    if (orphaned || from.destroyed) return;
    orphaned = true;
    from.resume();
    if (!from.writableEnded) from.end();
    if (from.writableFinished) from.destroy();
    else from.once('finish', () => from.destroy());
  };
  from.on('data', (chunk: Buffer) => {
    if (orphaned) return;
    if (to.destroyed) return orphan();
    if (!to.write(chunk) && !from.isPaused()) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  if (from.readableEnded) to.end();
  else from.on('end', () => to.end());
  to.once('close', () => {
    if (!from.readableEnded) orphan();
  });
}
