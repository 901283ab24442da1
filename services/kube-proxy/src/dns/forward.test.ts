import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@kubelab/component-base';
import { randomNet } from '../testing/fixtures';
import { Forwarder } from './forward';
import { DnsHandler } from './handler';
import { KubernetesZone } from './kubernetes';

/**
 * An upstream on one address and port, UDP and TCP, as a real resolver: `many.example.com` has 40
 * A records, so over UDP (512 bytes without EDNS) it is truncated with TC set and only TCP gives it
 * whole. Records which transport each query came on.
 */
async function resolver(host: string) {
  const seen: Array<'udp' | 'tcp'> = [];
  const answer = (message: Buffer, transport: 'udp' | 'tcp'): Buffer => {
    seen.push(transport);
    const query = dnsPacket.decode(message);
    const name = query.questions![0]!.name;
    const answers: Answer[] = name === 'many.example.com' ? Array.from({ length: 40 }, (_, i) => ({ type: 'A', name, ttl: 60, data: `192.0.2.${i + 1}` })) : [];
    const full = { id: query.id, type: 'response' as const, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: query.questions, answers };
    if (transport === 'tcp' || dnsPacket.encodingLength(full) <= 512) return dnsPacket.encode(full);
    return dnsPacket.encode({ ...full, flags: full.flags | dnsPacket.TRUNCATED_RESPONSE, answers: answers.slice(0, 5) });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (message, from) => udp.send(answer(message, 'udp'), from.port, from.address));
  await new Promise<void>((resolve) => udp.bind(0, host, resolve));
  const port = udp.address().port;
  const tcp = net.createServer((connection) => {
    let buffered = Buffer.alloc(0);
    connection.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const reply = answer(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), 'tcp');
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      connection.end(Buffer.concat([prefix, reply]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, host, resolve));
  return { upstream: { host, port }, seen, close: () => Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]) };
}

const query = (name: string) => dnsPacket.encode({ type: 'query', id: 4321, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });

describe('Forwarder', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('forwards a TCP query over TCP (the whole answer), a UDP one over UDP (truncated, as the upstream gives it)', async () => {
    const upstream = await resolver(randomNet()(53));
    closers.push(upstream.close);
    const forwarder = new Forwarder({ upstreams: [upstream.upstream], timeoutMs: 1_000, log: createLogger('test', 'silent') });

    const overUdp = dnsPacket.decode((await forwarder.forward(query('many.example.com'), 'udp'))!);
    expect(overUdp.id).toBe(4321);
    expect(overUdp.flag_tc).toBe(true);
    const overTcp = dnsPacket.decode((await forwarder.forward(query('many.example.com'), 'tcp'))!);
    expect(overTcp.id).toBe(4321);
    expect(overTcp.flag_tc).toBe(false);
    expect(overTcp.answers).toHaveLength(40);
    expect(upstream.seen).toEqual(['udp', 'tcp']);
  });

  it('looks a name up over UDP, and again over TCP when that answer is truncated', async () => {
    const upstream = await resolver(randomNet()(53));
    closers.push(upstream.close);
    const forwarder = new Forwarder({ upstreams: [upstream.upstream], timeoutMs: 1_000, log: createLogger('test', 'silent') });
    expect(await forwarder.lookup('many.example.com', 'A')).toHaveLength(40);
    expect(upstream.seen).toEqual(['udp', 'tcp']);
    expect(await forwarder.lookup('other.example.com', 'A')).toEqual([]);
  });

  it('goes on to the next upstream when a TCP one refuses the connection', async () => {
    const ip = randomNet();
    const upstream = await resolver(ip(53));
    closers.push(upstream.close);
    const forwarder = new Forwarder({ upstreams: [{ host: ip(54), port: upstream.upstream.port }, upstream.upstream], timeoutMs: 1_000, log: createLogger('test', 'silent') });
    expect(dnsPacket.decode((await forwarder.forward(query('many.example.com'), 'tcp'))!).answers).toHaveLength(40);
  });

  it('the cluster DNS forwards a query that came over TCP over TCP (a truncated UDP answer is asked again over TCP)', async () => {
    const upstream = await resolver(randomNet()(53));
    closers.push(upstream.close);
    const log = createLogger('test', 'silent');
    const forwarder = new Forwarder({ upstreams: [upstream.upstream], timeoutMs: 1_000, log });
    const zone = new KubernetesZone({ domain: 'cluster.local', ttl: 30, source: { service: () => undefined, services: () => [], endpoints: () => [], serial: () => 1 } });
    const handler = new DnsHandler({ domain: 'cluster.local', zone, forwarder, log });
    expect(dnsPacket.decode((await handler.handle(query('many.example.com'), 'udp'))!).flag_tc).toBe(true);
    const overTcp = dnsPacket.decode((await handler.handle(query('many.example.com'), 'tcp'))!);
    expect(overTcp.flag_tc).toBe(false);
    expect(overTcp.answers).toHaveLength(40);
    expect(upstream.seen).toEqual(['udp', 'tcp']);
  });
});
