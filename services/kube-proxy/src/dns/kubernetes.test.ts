import type { Answer, Question, RecordType } from 'dns-packet';
import { describe, expect, it, vi } from 'vitest';
import type { V1Service } from '../api';
import type { SliceEndpoint } from '../endpoint-slice-cache';
import { service } from '../testing/fixtures';
import { KubernetesZone, type UpstreamLookup } from './kubernetes';

function endpoint(address: string, ports: Array<{ name?: string; port: number }> = [], hostname?: string): SliceEndpoint {
  return { address, hostname, nodeName: undefined, ready: true, serving: true, terminating: false, ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: 'TCP' })) };
}

/** A zone over fixed Services and endpoints (by `<ns>/<name>`). */
function zone(services: V1Service[], endpoints: Record<string, SliceEndpoint[]> = {}, nameserver?: string): KubernetesZone {
  return new KubernetesZone({
    domain: 'cluster.local',
    ttl: 30,
    nameserver,
    source: {
      service: (namespace, name) => services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name),
      services: () => services,
      endpoints: (namespace, name) => endpoints[`${namespace}/${name}`] ?? [],
      serial: () => 1,
    },
  });
}

const q = (name: string, type: RecordType): Question => ({ name, type });
const data = (answers: Answer[] | undefined) => (answers ?? []).map((a) => `${a.type} ${(a as { data: unknown }).data}`);

describe('KubernetesZone', () => {
  describe('ExternalName', () => {
    const services = [
      service('search', { type: 'ExternalName', externalName: 'search.example.com' }),
      service('web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }),
      service('alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
      service('loop-a', { type: 'ExternalName', externalName: 'loop-b.default.svc.cluster.local' }),
      service('loop-b', { type: 'ExternalName', externalName: 'loop-a.default.svc.cluster.local' }),
      service('self', { type: 'ExternalName', externalName: 'self.default.svc.cluster.local' }),
      service('nowhere', { type: 'ExternalName', externalName: 'nope.default.svc.cluster.local' }),
    ];
    const upstream: UpstreamLookup = async (name, type) =>
      name === 'search.example.com' && type === 'A'
        ? [
            { type: 'CNAME', name: 'search.example.com', ttl: 300, data: 'edge.example.net' },
            { type: 'A', name: 'edge.example.net', ttl: 60, data: '93.184.215.14' },
          ]
        : [];

    it('answers A with the CNAME followed by the target records the upstreams give (CoreDNS plugin.A)', async () => {
      const lookup = vi.fn(upstream);
      const reply = await zone(services).answer(q('search.default.svc.cluster.local', 'A'), lookup);
      expect(reply?.rcode).toBe('NOERROR');
      expect(reply?.answers).toEqual([
        { type: 'CNAME', name: 'search.default.svc.cluster.local', ttl: 30, data: 'search.example.com' },
        { type: 'CNAME', name: 'search.example.com', ttl: 300, data: 'edge.example.net' },
        { type: 'A', name: 'edge.example.net', ttl: 60, data: '93.184.215.14' },
      ]);
      expect(lookup).toHaveBeenCalledWith('search.example.com', 'A');
      // AAAA asks the upstreams for AAAA; none: the CNAME alone, as when no upstream answers.
      expect(data((await zone(services).answer(q('search.default.svc.cluster.local', 'AAAA'), upstream))?.answers)).toEqual(['CNAME search.example.com']);
      expect(data((await zone(services).answer(q('search.default.svc.cluster.local', 'A'), async () => undefined))?.answers)).toEqual(['CNAME search.example.com']);
      expect(data((await zone(services).answer(q('search.default.svc.cluster.local', 'A'), () => Promise.reject(new Error('down'))))?.answers)).toEqual(['CNAME search.example.com']);
    });

    it('follows a target inside the zone locally, without the upstreams', async () => {
      const lookup = vi.fn(upstream);
      const reply = await zone(services).answer(q('alias.default.svc.cluster.local', 'A'), lookup);
      expect(reply?.answers).toEqual([
        { type: 'CNAME', name: 'alias.default.svc.cluster.local', ttl: 30, data: 'web.default.svc.cluster.local' },
        { type: 'A', name: 'web.default.svc.cluster.local', ttl: 30, data: '10.96.0.20' },
      ]);
      expect(lookup).not.toHaveBeenCalled();
      // A target in the zone that does not resolve: no CNAME either (NODATA), as CoreDNS.
      const nowhere = await zone(services).answer(q('nowhere.default.svc.cluster.local', 'A'), lookup);
      expect(nowhere?.rcode).toBe('NOERROR');
      expect(nowhere?.answers).toEqual([]);
    });

    it('stops at loops (a CNAME seen before, x CNAME x) with NODATA', async () => {
      for (const name of ['loop-a', 'self']) {
        const reply = await zone(services).answer(q(`${name}.default.svc.cluster.local`, 'A'), upstream);
        expect(reply?.rcode).toBe('NOERROR');
        expect(reply?.answers).toEqual([]);
        expect(reply?.authorities.map((a) => a.type)).toEqual(['SOA']);
      }
    });

    it('gives the CNAME alone for CNAME, and NODATA for SRV (CoreDNS drops ExternalName Services from SRV)', async () => {
      expect(data((await zone(services).answer(q('search.default.svc.cluster.local', 'CNAME'), upstream))?.answers)).toEqual(['CNAME search.example.com']);
      for (const name of ['search.default.svc.cluster.local', '_http._tcp.search.default.svc.cluster.local']) {
        const reply = await zone(services).answer(q(name, 'SRV'), upstream);
        expect(reply?.rcode).toBe('NOERROR');
        expect(reply?.answers).toEqual([]);
      }
    });
  });

  it('answers dns-version TXT "1.1.0" with TTL 28800', async () => {
    const reply = await zone([]).answer(q('dns-version.cluster.local', 'TXT'));
    expect(reply?.rcode).toBe('NOERROR');
    expect(reply?.answers).toEqual([{ type: 'TXT', name: 'dns-version.cluster.local', ttl: 28800, data: '1.1.0' }]);
  });

  it('answers ns.dns.<zone> A and the zone NS with the cluster DNS address, named after the kube-dns Service', async () => {
    const kubeDns = service('kube-dns', { namespace: 'kube-system', clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53 }] });
    const z = zone([kubeDns], {}, '10.96.0.10');
    expect((await z.answer(q('ns.dns.cluster.local', 'A')))?.answers).toEqual([{ type: 'A', name: 'ns.dns.cluster.local', ttl: 30, data: '10.96.0.10' }]);
    const aaaa = await z.answer(q('ns.dns.cluster.local', 'AAAA'));
    expect([aaaa?.rcode, aaaa?.answers]).toEqual(['NOERROR', []]);
    const ns = await z.answer(q('cluster.local', 'NS'));
    expect(ns?.answers).toEqual([{ type: 'NS', name: 'cluster.local', ttl: 30, data: 'kube-dns.kube-system.svc.cluster.local' }]);
    expect(ns?.additionals).toEqual([{ type: 'A', name: 'kube-dns.kube-system.svc.cluster.local', ttl: 30, data: '10.96.0.10' }]);
    // Without a kube-dns Service at that address: ns.dns.<zone>.
    expect((await zone([], {}, '10.96.0.10').answer(q('cluster.local', 'NS')))?.answers).toEqual([{ type: 'NS', name: 'cluster.local', ttl: 30, data: 'ns.dns.cluster.local' }]);
  });

  describe('SRV', () => {
    it('gives each record a weight of at least 1 (over 100 records)', async () => {
      const endpoints = Array.from({ length: 150 }, (_, i) => endpoint(`10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`, [{ name: 'http', port: 80 }]));
      const z = zone([service('big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] })], { 'default/big': endpoints });
      const reply = await z.answer(q('_http._tcp.big.default.svc.cluster.local', 'SRV'));
      expect(reply?.answers).toHaveLength(150);
      expect(new Set(reply!.answers.map((a) => (a as { data: { weight: number } }).data.weight))).toEqual(new Set([1]));
    });

    it('says NXDOMAIN for a headless Service without ready endpoints, by name and by port (CoreDNS errNoItems)', async () => {
      const z = zone([service('db', { clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] })]);
      for (const name of ['db.default.svc.cluster.local', '_redis._tcp.db.default.svc.cluster.local']) {
        for (const type of ['SRV', 'A'] as const) expect([name, type, (await z.answer(q(name, type)))?.rcode]).toEqual([name, type, 'NXDOMAIN']);
      }
    });
  });
});
