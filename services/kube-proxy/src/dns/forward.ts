import * as dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '@kubelab/component-base';
import type { Upstream } from './resolv-conf';

export interface ForwarderOptions {
  upstreams: readonly Upstream[];
  /** How long one upstream gets to answer before the next is asked. */
  timeoutMs: number;
  log: Logger;
  /** Counts each query sent upstream (coredns_forward_requests_total). */
  onRequest?: (upstream: string) => void;
}

/**
 * CoreDNS's `forward . /etc/resolv.conf` for names outside the cluster: the query goes as it is
 * (under a fresh id) to the host's resolvers over UDP, one after the other until one answers in
 * time, and the answer comes back as the upstream gave it (under the client's id). None answers:
 * undefined, and the caller says SERVFAIL.
 */
export class Forwarder {
  constructor(private readonly options: ForwarderOptions) {}

  get upstreams(): readonly Upstream[] {
    return this.options.upstreams;
  }

  async forward(query: Buffer): Promise<Buffer | undefined> {
    for (const upstream of this.options.upstreams) {
      const answer = await this.ask(upstream, query).catch((error: Error) => {
        this.options.log.debug({ upstream: `${upstream.host}:${upstream.port}`, err: error.message }, 'upstream did not answer');
        return undefined;
      });
      if (answer) return answer;
    }
    return undefined;
  }

  private ask(upstream: Upstream, query: Buffer): Promise<Buffer> {
    this.options.onRequest?.(`${upstream.host}:${upstream.port}`);
    const id = Math.floor(Math.random() * 0x10000);
    const clientId = query.readUInt16BE(0);
    const outgoing = Buffer.from(query);
    outgoing.writeUInt16BE(id, 0);
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
      let done = false;
      const finish = (error: Error | undefined, answer?: Buffer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.close();
        if (error) reject(error);
        else resolve(answer!);
      };
      const timer = setTimeout(() => finish(new Error(`no answer in ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      socket.on('error', (error) => finish(error));
      socket.on('message', (message) => {
        if (message.length < 12 || message.readUInt16BE(0) !== id) return;
        const answer = Buffer.from(message);
        answer.writeUInt16BE(clientId, 0);
        finish(undefined, answer);
      });
      // A connected socket hears the ICMP "port unreachable" of a dead resolver as ECONNREFUSED at once.
      socket.connect(upstream.port, upstream.host, () => socket.send(outgoing));
    });
  }
}
