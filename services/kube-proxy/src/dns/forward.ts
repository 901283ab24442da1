import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import type { Logger } from '@kubelab/component-base';
import { SERVER_UDP_SIZE } from './message';
import type { Upstream } from './resolv-conf';

export interface ForwarderOptions {
  upstreams: readonly Upstream[];
  /** How long one upstream gets to answer (one exchange, UDP or TCP) before the next is asked. */
  timeoutMs: number;
  log: Logger;
  /** Counts each query sent upstream (coredns_forward_requests_total). */
  onRequest?: (upstream: string) => void;
}

/** The transport a query came in on, and that it is forwarded over. */
export type Transport = 'udp' | 'tcp';

/**
 * CoreDNS's `forward . /etc/resolv.conf` for names outside the cluster: the query goes as it is
 * (under a fresh id) to the host's resolvers, one after the other until one answers in time, and
 * the answer comes back as the upstream gave it (under the client's id). It goes over the
 * transport it came in on, as CoreDNS's forward does: a UDP answer the upstream truncated (TC)
 * goes back truncated, the client asks again over TCP, and that query goes upstream over TCP
 * (with its two-byte length prefix). None answers: undefined, and the caller says SERVFAIL.
 */
export class Forwarder {
  constructor(private readonly options: ForwarderOptions) {}

  get upstreams(): readonly Upstream[] {
    return this.options.upstreams;
  }

  async forward(query: Buffer, transport: Transport = 'udp'): Promise<Buffer | undefined> {
    for (const upstream of this.options.upstreams) {
      const answer = await this.ask(upstream, query, transport).catch((error: Error) => {
        this.options.log.debug({ upstream: `${upstream.host}:${upstream.port}`, transport, err: error.message }, 'upstream did not answer');
        return undefined;
      });
      if (answer) return answer;
    }
    return undefined;
  }

  /**
   * The answer records of `name` `type` from the upstreams (CoreDNS's upstream lookup, for the
   * target of an ExternalName Service): asked over UDP with EDNS, again over TCP when that answer
   * is truncated. Undefined when no upstream answers (or its answer cannot be read).
   */
  async lookup(name: string, type: 'A' | 'AAAA'): Promise<Answer[] | undefined> {
    const query = dnsPacket.encode({
      type: 'query',
      id: 0,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, name }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: SERVER_UDP_SIZE, flags: 0, options: [] } as unknown as Answer],
    });
    let raw = await this.forward(query, 'udp');
    if (raw && isTruncated(raw)) raw = (await this.forward(query, 'tcp')) ?? raw;
    if (!raw) return undefined;
    try {
      return (dnsPacket.decode(raw).answers ?? []).filter((a) => a.type !== 'OPT');
    } catch {
      return undefined;
    }
  }

  private ask(upstream: Upstream, query: Buffer, transport: Transport): Promise<Buffer> {
    this.options.onRequest?.(`${upstream.host}:${upstream.port}`);
    const id = Math.floor(Math.random() * 0x10000);
    const clientId = query.readUInt16BE(0);
    const outgoing = Buffer.from(query);
    outgoing.writeUInt16BE(id, 0);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no answer over ${transport} in ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      let done = false;
      let close = () => {};
      const finish = (error: Error | undefined, answer?: Buffer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        close();
        if (error) reject(error);
        else resolve(answer!);
      };
      const received = (message: Buffer): boolean => {
        if (message.length < 12 || message.readUInt16BE(0) !== id) return false;
        const answer = Buffer.from(message);
        answer.writeUInt16BE(clientId, 0);
        finish(undefined, answer);
        return true;
      };
      close = transport === 'tcp' ? this.askTcp(upstream, outgoing, received, finish) : this.askUdp(upstream, outgoing, received, finish);
      if (done) close();
    });
  }

  /** One datagram; returns how to close the socket. */
  private askUdp(upstream: Upstream, outgoing: Buffer, received: (message: Buffer) => boolean, fail: (error: Error) => void): () => void {
    const socket = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
    let closed = false;
    socket.on('error', (error) => fail(error));
    socket.on('message', (message) => received(message));
    // A connected socket hears the ICMP "port unreachable" of a dead resolver as ECONNREFUSED at once.
    socket.connect(upstream.port, upstream.host, () => {
      if (!closed) socket.send(outgoing, (error) => error && fail(error));
    });
    return () => {
      closed = true;
      socket.close();
    };
  }

  /** One message on its own connection, each way with its two-byte length prefix; returns how to close it. */
  private askTcp(upstream: Upstream, outgoing: Buffer, received: (message: Buffer) => boolean, fail: (error: Error) => void): () => void {
    const socket = net.connect({ host: upstream.host, port: upstream.port });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(outgoing.length);
    socket.on('connect', () => socket.write(Buffer.concat([prefix, outgoing])));
    socket.on('error', (error) => fail(error));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        if (received(message)) return;
      }
    });
    socket.on('close', () => fail(new Error('connection closed before an answer')));
    return () => socket.destroy();
  }
}

function isTruncated(message: Buffer): boolean {
  return message.length >= 4 && (message.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE) !== 0;
}
