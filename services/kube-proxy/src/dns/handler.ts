import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { Logger } from '@kubelab/component-base';
import type { Forwarder } from './forward';
import type { KubernetesZone } from './kubernetes';
import { loadBalance } from './loadbalance';
import { ednsUdpSize, encodeWithin, isStandardQuery, MIN_UDP_SIZE, RCODE, responsePacket, SERVER_UDP_SIZE, type Rcode } from './message';
import type { DnsMetrics } from './metrics';

/** The largest DNS message over TCP (its two-byte length prefix). */
const MAX_TCP_SIZE = 65_535;

export interface DnsHandlerOptions {
  /** The cluster domain (for the metrics' zone label). */
  domain: string;
  zone: KubernetesZone;
  forwarder: Forwarder;
  log: Logger;
  metrics?: DnsMetrics;
}

/**
 * The cluster DNS's server block (kubeadm's Corefile: `kubernetes cluster.local in-addr.arpa`
 * with fallthrough for reverse names, `loadbalance`, then `forward . /etc/resolv.conf`): a query
 * the cluster zone owns is answered from the informers' caches, its A/AAAA records shuffled; any
 * other is forwarded over the transport it came in on; an answer too big for UDP is truncated
 * with TC set.
 */
export class DnsHandler {
  constructor(private readonly options: DnsHandlerOptions) {}

  /** The response bytes to a query (undefined: drop it, as for garbage or a response). */
  async handle(message: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return message.length >= 12 ? this.failure(message.readUInt16BE(0), 'FORMERR') : undefined;
    }
    if (query.type === 'response') return undefined;
    if (!isStandardQuery(query)) return this.encode(query, transport, 'NOTIMP');
    const question = query.questions?.[0];
    if (!question || query.questions!.length !== 1) return this.encode(query, transport, 'FORMERR');
    const { forwarder } = this.options;
    const reply = await this.options.zone.answer(question, (name, type) => forwarder.lookup(name, type));
    const zone = reply ? `${this.options.domain}.` : '.';
    this.options.metrics?.request(zone, transport, question.type);
    if (reply) {
      this.options.metrics?.response(zone, reply.rcode);
      return this.size(responsePacket(query, loadBalance(reply)), query, transport);
    }
    const answer = await forwarder.forward(message, transport);
    if (answer) {
      this.options.metrics?.response(zone, rcodeOf(answer));
      return answer;
    }
    this.options.log.debug({ name: question.name, type: question.type }, 'no upstream answered; SERVFAIL');
    return this.encode(query, transport, 'SERVFAIL');
  }

  private encode(query: DecodedPacket, transport: 'udp' | 'tcp', rcode: Rcode): Buffer {
    this.options.metrics?.response('.', rcode);
    return this.size(responsePacket(query, { rcode, authoritative: false, answers: [], authorities: [], additionals: [] }), query, transport);
  }

  private size(packet: dnsPacket.Packet, query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer {
    const max = transport === 'tcp' ? MAX_TCP_SIZE : Math.min(ednsUdpSize(query) ?? MIN_UDP_SIZE, SERVER_UDP_SIZE);
    return encodeWithin(packet, max);
  }

  private failure(id: number, rcode: Rcode): Buffer {
    return dnsPacket.encode({ id, type: 'response', flags: RCODE[rcode] });
  }
}

function rcodeOf(answer: Buffer): string {
  try {
    return (dnsPacket.decode(answer) as unknown as { rcode: string }).rcode;
  } catch {
    return 'unknown';
  }
}
