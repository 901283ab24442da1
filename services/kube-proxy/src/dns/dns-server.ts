import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { AddressClaim } from '../address-claim';

export interface DnsServerOptions {
  address: string;
  port: number;
  /** The response to a query, or undefined to send none. */
  handle: (message: Buffer, transport: 'udp' | 'tcp') => Promise<Buffer | undefined>;
  /** How often the address is tried again while another kube-proxy holds it. */
  retryMs: number;
  clock: Clock;
  log: Logger;
  /** A TCP connection idle this long is closed (CoreDNS: 10 s). */
  tcpIdleTimeoutMs?: number;
}

/**
 * The cluster DNS's sockets: UDP and TCP on the same address and port (the kube-dns ClusterIP,
 * port 53). Like a ClusterIP socket the address is shared by every kube-proxy of the machine:
 * one serves it, the others retry until it is free. Over TCP each message has its two-byte
 * length prefix, several queries may come on one connection, and answers go back as they are
 * ready.
 */
export class DnsServer {
  private readonly udp: AddressClaim<dgram.Socket>;
  private readonly tcp: AddressClaim<net.Server>;
  private readonly connections = new Set<net.Socket>();
  /** UDP sockets closed (released, or the server closed): an answer ready after that is dropped. */
  private readonly closedUdp = new WeakSet<dgram.Socket>();

  constructor(private readonly options: DnsServerOptions) {
    const common = { retryMs: options.retryMs, clock: options.clock, log: options.log };
    this.udp = new AddressClaim({ ...common, what: `udp ${options.address}:${options.port} (cluster DNS)`, bind: () => this.bindUdp(), unbind: (socket) => this.closeUdp(socket) });
    this.tcp = new AddressClaim({ ...common, what: `tcp ${options.address}:${options.port} (cluster DNS)`, bind: () => this.bindTcp(), unbind: (server) => new Promise((resolve) => server.close(() => resolve())) });
  }

  /** Starts claiming the address (UDP and TCP each). */
  start(): void {
    this.udp.want(true);
    this.tcp.want(true);
  }

  /** Whether this process serves the address over UDP and TCP. */
  get serving(): boolean {
    return this.udp.held !== undefined && this.tcp.held !== undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await Promise.all([this.udp.close(), this.tcp.close()]);
  }

  private bindUdp(): Promise<dgram.Socket> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.options.address, port: this.options.port, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.options.log.warn({ err: error.message }, 'DNS UDP socket error'));
        socket.on('message', (message, from) => {
          void this.options.handle(message, 'udp').then(
            (answer) => answer && this.sendUdp(socket, answer, from),
            (error: Error) => this.options.log.warn({ err: error.message }, 'DNS query failed'),
          );
        });
        resolve(socket);
      });
    });
  }

  /**
   * Sends an answer unless the socket was closed while the query was being answered (a forwarded
   * query takes up to the upstream timeouts): dgram's send throws at once on a closed socket, and
   * inside the handler's promise that would be an unhandled rejection, which ends the process.
   */
  private sendUdp(socket: dgram.Socket, answer: Buffer, to: dgram.RemoteInfo): void {
    if (this.closedUdp.has(socket)) return;
    try {
      socket.send(answer, to.port, to.address, (error) => error && this.options.log.debug({ err: error.message }, 'DNS answer not sent'));
    } catch (error) {
      this.options.log.debug({ err: (error as Error).message }, 'DNS answer not sent');
    }
  }

  private closeUdp(socket: dgram.Socket): Promise<void> {
    this.closedUdp.add(socket);
    return new Promise((resolve) => socket.close(() => resolve()));
  }

  private bindTcp(): Promise<net.Server> {
    const server = net.createServer((connection) => this.serveConnection(connection));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.address, port: this.options.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.options.log.warn({ err: error.message }, 'DNS TCP listener error'));
        resolve(server);
      });
    });
  }

  private serveConnection(connection: net.Socket): void {
    this.connections.add(connection);
    connection.once('close', () => this.connections.delete(connection));
    connection.on('error', () => connection.destroy());
    connection.setTimeout(this.options.tcpIdleTimeoutMs ?? 10_000, () => connection.end());
    let buffered: Buffer = Buffer.alloc(0);
    connection.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        void this.options.handle(Buffer.from(message), 'tcp').then(
          (answer) => {
            if (!answer || connection.destroyed || !connection.writable) return;
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(answer.length);
            connection.write(Buffer.concat([prefix, answer]));
          },
          (error: Error) => this.options.log.warn({ err: error.message }, 'DNS query failed'),
        );
      }
    });
  }
}
