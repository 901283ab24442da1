import { execFile } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { endpointSlice, Lab, randomNet, service } from '../testing/fixtures';
import type { Upstream } from './resolv-conf';

const isRoot = process.getuid?.() === 0;
/** Port 53 as in a cluster when we may bind it (busybox's nslookup knows no other); else a high port. */
const DNS_PORT = isRoot ? 53 : 20_000 + Math.floor(Math.random() * 20_000);

/** Asks `name` over UDP or TCP; `edns` adds an OPT record announcing that UDP size. */
async function query(server: string, name: string, type: RecordType, transport: 'udp' | 'tcp' = 'udp', edns?: number): Promise<DecodedPacket & { rcode: string }> {
  const id = Math.floor(Math.random() * 0x10000);
  const packet: dnsPacket.Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
    ...(edns && { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: edns, flags: 0, options: [] } as unknown as dnsPacket.Answer] }),
  };
  const raw = await (transport === 'udp' ? udpExchange(server, dnsPacket.encode(packet)) : tcpExchange(server, dnsPacket.encode(packet)));
  const answer = dnsPacket.decode(raw) as DecodedPacket & { rcode: string };
  expect(answer.id).toBe(id);
  return answer;
}

function udpExchange(server: string, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => (socket.close(), reject(new Error('no DNS answer'))), 3_000);
    socket.on('message', (answer) => (clearTimeout(timer), socket.close(), resolve(answer)));
    socket.send(message, DNS_PORT, server);
  });
}

function tcpExchange(server: string, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server, port: DNS_PORT });
    let data = Buffer.alloc(0);
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length);
      socket.write(Buffer.concat([prefix, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        socket.destroy();
        resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
      }
    });
    socket.on('error', reject);
  });
}

/** An upstream resolver that knows one name. */
async function upstreamResolver(ip: string): Promise<{ upstream: Upstream; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, from) => {
    const q = dnsPacket.decode(message);
    const question = q.questions?.[0];
    const known = question?.name === 'example.com' || question?.name === 'search.example.com';
    const answer = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
      questions: q.questions,
      answers: known && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 300, data: '93.184.215.14' }] : [],
    });
    socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
  let closed: Promise<void> | undefined;
  return { upstream: { host: ip, port: socket.address().port }, close: () => (closed ??= new Promise((resolve) => socket.close(() => resolve()))) };
}

describe('cluster DNS', () => {
  let lab: Lab;
  afterEach(async () => {
    await lab?.close();
  });

  /** A lab with a ClusterIP Service `web`, a headless Service `db` (two ready endpoints, one not ready), and kube-proxy serving DNS on ip(10). */
  async function setUp(upstreams: Upstream[] = []) {
    lab = await new Lab().start();
    const ip = randomNet();
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ name: 'http', port: 80 }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(21) }], [{ name: 'http', port: 8080 }]));
    lab.apply(service('db', { clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] }));
    lab.apply(endpointSlice('db', [{ ip: ip(31), hostname: 'db-0' }, { ip: ip(32) }, { ip: ip(33), ready: false }], [{ name: 'redis', port: 6379 }]));
    lab.apply(service('search', { type: 'ExternalName', externalName: 'search.example.com' }));
    // kube-dns's own Service: its ClusterIP is the DNS server's, which the proxier leaves alone.
    lab.apply(service('kube-dns', { namespace: 'kube-system', clusterIP: ip(10), ports: [{ name: 'dns', port: DNS_PORT, protocol: 'UDP' }, { name: 'dns-tcp', port: DNS_PORT }, { name: 'metrics', port: 9153 }] }));
    lab.apply(endpointSlice('kube-dns', [{ ip: ip(41) }], [{ name: 'dns-tcp', port: 53 }, { name: 'metrics', port: 9153 }], { namespace: 'kube-system' }));
    const proxy = await lab.kubeProxy('node-1', ip(2), { clusterDNS: ip(10), clusterDNSPort: DNS_PORT }, { upstreams, forwardTimeoutMs: 500 });
    await waitFor(() => proxy.dns?.serving, { what: 'the cluster DNS serving' });
    return { ip, dns: ip(10), proxy };
  }

  it('answers A for a ClusterIP Service over UDP and TCP, authoritatively, with TTL 30 (kubeadm\'s Corefile), on the kube-dns ClusterIP the proxier leaves alone', async () => {
    const { ip, dns, proxy } = await setUp();
    expect(proxy.proxier.frontends().map((f) => f.address)).toEqual([ip(100)]);
    for (const transport of ['udp', 'tcp'] as const) {
      const answer = await query(dns, 'web.default.svc.cluster.local', 'A', transport);
      expect(answer.rcode).toBe('NOERROR');
      expect(answer.flag_aa).toBe(true);
      expect(answer.answers).toEqual([expect.objectContaining({ name: 'web.default.svc.cluster.local', type: 'A', ttl: 30, data: ip(100) })]);
    }
  });

  it('answers an ExternalName Service with its CNAME followed by the target\'s A records from the upstream', async () => {
    const ip = randomNet();
    const resolver = await upstreamResolver(ip(53));
    const { dns } = await setUp([resolver.upstream]);
    lab.defer(() => resolver.close());
    const cname = await query(dns, 'search.default.svc.cluster.local', 'A');
    expect(cname.rcode).toBe('NOERROR');
    expect(cname.answers).toEqual([
      expect.objectContaining({ type: 'CNAME', name: 'search.default.svc.cluster.local', ttl: 30, data: 'search.example.com' }),
      expect.objectContaining({ type: 'A', name: 'search.example.com', ttl: 300, data: '93.184.215.14' }),
    ]);
  });

  it('shuffles the A records of a headless Service from one answer to the next (loadbalance)', async () => {
    const { ip, dns } = await setUp();
    lab.apply(service('many', { clusterIP: 'None', ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('many', Array.from({ length: 6 }, (_, i) => ({ ip: ip(150 + i) })), [{ port: 80 }]));
    await waitFor(async () => (await query(dns, 'many.default.svc.cluster.local', 'A')).answers!.length === 6, { what: 'the many Service known' });
    const orders = new Set<string>();
    for (let i = 0; i < 20; i++) orders.add((await query(dns, 'many.default.svc.cluster.local', 'A')).answers!.map((a) => (a as { data: unknown }).data).join(' '));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('answers a headless Service with its ready endpoints, and each endpoint by hostname or dashed IP', async () => {
    const { ip, dns } = await setUp();
    const all = await query(dns, 'db.default.svc.cluster.local', 'A');
    expect(all.answers!.map((a) => (a as { data: unknown }).data).sort()).toEqual([ip(31), ip(32)].sort());
    expect((await query(dns, 'db-0.db.default.svc.cluster.local', 'A')).answers!.map((a) => (a as { data: unknown }).data)).toEqual([ip(31)]);
    expect((await query(dns, `${ip(32).replace(/\./g, '-')}.db.default.svc.cluster.local`, 'A')).answers!.map((a) => (a as { data: unknown }).data)).toEqual([ip(32)]);
    expect((await query(dns, `${ip(33).replace(/\./g, '-')}.db.default.svc.cluster.local`, 'A')).rcode).toBe('NXDOMAIN');
  });

  it('answers SRV for named ports, with the targets\' A records in the additional section', async () => {
    const { ip, dns } = await setUp();
    const web = await query(dns, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(web.answers).toEqual([expect.objectContaining({ type: 'SRV', ttl: 30, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } })]);
    expect(web.additionals).toEqual([expect.objectContaining({ type: 'A', name: 'web.default.svc.cluster.local', data: ip(100) })]);
    const db = await query(dns, '_redis._tcp.db.default.svc.cluster.local', 'SRV');
    expect(db.answers!.map((a) => ((a as { data: unknown }).data as { target: string }).target).sort()).toEqual(['db-0.db.default.svc.cluster.local', `${ip(32).replace(/\./g, '-')}.db.default.svc.cluster.local`].sort());
    expect(db.answers!.map((a) => ((a as { data: unknown }).data as { weight: number }).weight)).toEqual([50, 50]);
    expect((await query(dns, '_nope._tcp.web.default.svc.cluster.local', 'SRV')).rcode).toBe('NXDOMAIN');
  });

  it('says NOERROR without answers for AAAA of an existing name, NXDOMAIN for an unknown one, both with the zone\'s SOA', async () => {
    const { dns } = await setUp();
    const aaaa = await query(dns, 'web.default.svc.cluster.local', 'AAAA');
    expect(aaaa.rcode).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
    const missing = await query(dns, 'nope.default.svc.cluster.local', 'A');
    expect(missing.rcode).toBe('NXDOMAIN');
    expect(missing.flag_aa).toBe(true);
    for (const reply of [aaaa, missing]) {
      expect(reply.authorities).toEqual([
        expect.objectContaining({ type: 'SOA', name: 'cluster.local', ttl: 30, data: expect.objectContaining({ mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', refresh: 7200, retry: 1800, expire: 86400, minimum: 30 }) }),
      ]);
    }
    // With ndots:5 a pod's resolver tries `redis.default.svc.cluster.local.default.svc.cluster.local` first.
    expect((await query(dns, 'web.default.svc.cluster.local.default.svc.cluster.local', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('truncates a UDP answer that does not fit (TC), and gives all of it over TCP or with EDNS', async () => {
    const { ip, dns } = await setUp();
    // 20 A records: over the 512 bytes of plain UDP, within the 1232 the server takes with EDNS.
    const many = Array.from({ length: 20 }, (_, i) => ({ ip: ip(100 + i + 1) }));
    lab.apply(service('big', { clusterIP: 'None', ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('big', many, [{ port: 80 }]));
    await waitFor(async () => (await query(dns, 'big.default.svc.cluster.local', 'A', 'tcp')).answers!.length === 20, { what: 'the big Service known' });
    const udp = await query(dns, 'big.default.svc.cluster.local', 'A', 'udp');
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers!.length).toBeLessThan(20);
    expect(dnsPacket.encode(udp).length).toBeLessThanOrEqual(512);
    const edns = await query(dns, 'big.default.svc.cluster.local', 'A', 'udp', 4096);
    expect(edns.flag_tc).toBe(false);
    expect(edns.answers!.length).toBe(20);
  });

  it('forwards names outside the cluster to the upstream resolver, and says SERVFAIL when none answers', async () => {
    const ip = randomNet();
    const resolver = await upstreamResolver(ip(53));
    const { dns } = await setUp([{ host: ip(54), port: resolver.upstream.port }, resolver.upstream]);
    lab.defer(() => resolver.close());
    const found = await query(dns, 'example.com', 'A');
    expect(found.rcode).toBe('NOERROR');
    expect(found.answers).toEqual([expect.objectContaining({ name: 'example.com', ttl: 300, data: '93.184.215.14' })]);
    expect((await query(dns, 'nope.example', 'A')).rcode).toBe('NXDOMAIN');
    // A reverse name of no cluster address falls through to the upstream too.
    expect((await query(dns, `${ip(21).split('.').reverse().join('.')}.in-addr.arpa`, 'PTR')).rcode).toBe('NXDOMAIN');

    await resolver.close();
    expect((await query(dns, 'example.com', 'A')).rcode).toBe('SERVFAIL');
  });

  it('answers dns-version TXT, and ns.dns.cluster.local A with its own address (the kube-dns ClusterIP)', async () => {
    const { dns } = await setUp();
    expect((await query(dns, 'dns-version.cluster.local', 'TXT')).answers).toEqual([expect.objectContaining({ type: 'TXT', ttl: 28800, data: [Buffer.from('1.1.0')] })]);
    expect((await query(dns, 'ns.dns.cluster.local', 'A')).answers).toEqual([expect.objectContaining({ type: 'A', data: dns })]);
  });

  it('answers PTR for a ClusterIP', async () => {
    const { ip, dns } = await setUp();
    const ptr = await query(dns, `${ip(100).split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
    expect(ptr.answers).toEqual([expect.objectContaining({ type: 'PTR', data: 'web.default.svc.cluster.local' })]);
  });

  it.skipIf(!isRoot)('answers the real busybox nslookup (needs root for port 53)', async () => {
    const { ip, dns } = await setUp();
    const nslookup = (name: string) => promisify(execFile)('busybox', ['nslookup', name, dns], { timeout: 10_000 }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    const found = await nslookup('web.default.svc.cluster.local');
    expect(found.code).toBe(0);
    expect(found.out).toContain(`Address: ${ip(100)}`);
    const missing = await nslookup('nope.default.svc.cluster.local');
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain("can't find nope.default.svc.cluster.local: NXDOMAIN");
  });
});
