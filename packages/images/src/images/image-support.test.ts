import * as net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server';
import { randomIP } from '../testing/harness';
import { connectTcp, resolveHost, searchCandidates } from './image-support';

const SEARCH = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

describe('searchCandidates (resolv.conf, ndots:5)', () => {
  it('tries the search list first for a name with fewer than 5 dots', () => {
    expect(searchCandidates('redis', SEARCH)).toEqual(['redis.default.svc.cluster.local', 'redis.svc.cluster.local', 'redis.cluster.local', 'redis']);
    expect(searchCandidates('redis.default.svc.cluster.local', SEARCH)[0]).toBe('redis.default.svc.cluster.local.default.svc.cluster.local');
  });
  it('tries the name itself first with 5 dots or more, and only the name when it ends with a dot', () => {
    expect(searchCandidates('a.b.c.d.e.f', SEARCH)[0]).toBe('a.b.c.d.e.f');
    expect(searchCandidates('redis.default.svc.cluster.local.', SEARCH)).toEqual(['redis.default.svc.cluster.local']);
  });
});

describe('resolveHost through the cluster DNS server', () => {
  let dns: TestDnsServer;
  const redisIP = randomIP();
  const saved = { ...process.env };

  beforeAll(async () => {
    dns = await startDnsServer(randomIP(), { 'redis.default.svc.cluster.local': redisIP, 'web.other.svc.cluster.local': '127.96.0.20' });
  });
  afterAll(() => dns.close());
  afterEach(() => {
    process.env = { ...saved };
    dns.queries.length = 0;
  });

  const useClusterDns = (nameserver = dns.nameserver): void => {
    process.env.KUBELAB_NAMESERVER = nameserver;
    process.env.KUBELAB_DNS_SEARCH = SEARCH.join(' ');
  };

  it('resolves a Service by its short name, its namespaced name and its full name', async () => {
    useClusterDns();
    expect(await resolveHost('redis')).toBe(redisIP);
    expect(dns.queries).toEqual(['redis.default.svc.cluster.local']);
    expect(await resolveHost('web.other')).toBe('127.96.0.20');
    expect(await resolveHost('redis.default.svc.cluster.local')).toBe(redisIP);
    expect(dns.queries.slice(1)).toEqual([
      'web.other.default.svc.cluster.local',
      'web.other.svc.cluster.local',
      'redis.default.svc.cluster.local.default.svc.cluster.local',
      'redis.default.svc.cluster.local.svc.cluster.local',
      'redis.default.svc.cluster.local.cluster.local',
      'redis.default.svc.cluster.local',
    ]);
  });

  it('takes an IP literal as it is, and falls back to the machine resolver for names the cluster does not know', async () => {
    useClusterDns();
    expect(await resolveHost('127.1.2.3')).toBe('127.1.2.3');
    expect(dns.queries).toEqual([]);
    expect(await resolveHost('localhost')).toBe('127.0.0.1');
    expect(dns.queries).toEqual(['localhost.default.svc.cluster.local', 'localhost.svc.cluster.local', 'localhost.cluster.local', 'localhost']);
    await expect(resolveHost('nosuch')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('does not wait for a cluster DNS server that is not there', async () => {
    useClusterDns(`${randomIP()}:53`);
    const started = Date.now();
    expect(await resolveHost('localhost')).toBe('127.0.0.1');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('connectTcp', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('connects from the pod IP', async () => {
    const serverIP = randomIP();
    const podIP = randomIP();
    const server = net.createServer();
    const seen = new Promise<string>((resolve) => server.once('connection', (socket) => {
      resolve(socket.remoteAddress!);
      socket.destroy();
    }));
    await new Promise<void>((resolve) => server.listen(0, serverIP, resolve));
    process.env.KUBELAB_POD_IP = podIP;
    const socket = await connectTcp(serverIP, (server.address() as net.AddressInfo).port);
    expect(await seen).toBe(podIP);
    socket.destroy();
    server.close();
  });

  it('fails as a refused connection does', async () => {
    await expect(connectTcp(randomIP(), 6379)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
