import { isIPv4 } from 'node:net';
import type { Answer, Question } from 'dns-packet';
import { CLUSTER_IP_NONE, type V1Service } from '../api';
import type { SliceEndpoint } from '../endpoint-slice-cache';
import { canonicalName, type Reply } from './message';

/** What the zone reads of the cluster: the informers' caches. */
export interface ClusterRecordsSource {
  service(namespace: string, name: string): V1Service | undefined;
  services(): V1Service[];
  endpoints(namespace: string, name: string): SliceEndpoint[];
  /** When the cluster's records last changed, in seconds since the epoch (the SOA serial). */
  serial(): number;
}

export interface KubernetesZoneOptions {
  /** The cluster domain, lower case without the trailing dot: `cluster.local`. */
  domain: string;
  /** The TTL of every record (CoreDNS's kubernetes plugin: 5 s by default). */
  ttl: number;
  source: ClusterRecordsSource;
}

/**
 * The cluster zone as CoreDNS's kubernetes plugin answers it (the DNS specification for
 * Kubernetes, schema 1.1.0):
 * - `<service>.<ns>.svc.<domain>` A: the ClusterIP; for a headless Service the addresses of its
 *   ready endpoints; an ExternalName Service is a CNAME to its external name.
 * - `<hostname>.<service>.<ns>.svc.<domain>` A: one endpoint (its hostname, or its IP with dashes).
 * - `_<port>._<proto>.<service>.<ns>.svc.<domain>` SRV: the named port, targets with A records in
 *   the additional section; `<service>.<ns>.svc.<domain>` SRV: every port.
 * - `<a-b-c-d>.<ns>.pod.<domain>` A: a.b.c.d (the `pods insecure` mode of kubeadm's Corefile).
 * - PTR for ClusterIPs and endpoint IPs (other reverse names fall through to the upstreams).
 * A name that exists but has no record of the asked type is NOERROR with no answer; a name that
 * does not exist is NXDOMAIN; both carry the zone's SOA in the authority section.
 */
export class KubernetesZone {
  constructor(private readonly options: KubernetesZoneOptions) {}

  /** The reply for a question this zone owns, or undefined for a name it does not (to be forwarded). */
  answer(question: Question): Reply | undefined {
    const name = canonicalName(question.name);
    const { domain } = this.options;
    if (name.endsWith('.in-addr.arpa')) return this.reverse(question, name);
    if (name !== domain && !name.endsWith(`.${domain}`)) return undefined;
    const labels = name === domain ? [] : name.slice(0, -(domain.length + 1)).split('.');
    if (labels.length === 0) return question.type === 'SOA' ? this.reply([this.soa()]) : this.noData();
    const kind = labels[labels.length - 1];
    const rest = labels.slice(0, -1);
    if (kind === 'svc') return this.serviceName(question, rest);
    if (kind === 'pod') return this.podName(question, rest);
    return this.nxdomain();
  }

  private serviceName(question: Question, labels: string[]): Reply {
    if (labels.length === 0) return this.noData();
    if (labels.length === 1) return this.options.source.services().some((s) => s.metadata.namespace === labels[0]) ? this.noData() : this.nxdomain();
    const [namespace, serviceName] = [labels[labels.length - 1]!, labels[labels.length - 2]!];
    const service = this.options.source.service(namespace, serviceName);
    if (!service) return this.nxdomain();
    const fqdn = `${serviceName}.${namespace}.svc.${this.options.domain}`;
    if (labels.length === 2) return this.service(question, service, fqdn);
    if (labels.length === 3) return this.endpoint(question, service, labels[0]!);
    if (labels.length === 4 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) return this.srv(question, service, fqdn, labels[0]!.slice(1), labels[1]!.slice(1));
    return this.nxdomain();
  }

  /** `<service>.<ns>.svc.<domain>`. */
  private service(question: Question, service: V1Service, fqdn: string): Reply {
    const spec = service.spec ?? {};
    if (spec.type === 'ExternalName') {
      return spec.externalName ? this.reply([{ type: 'CNAME', name: question.name, ttl: this.options.ttl, data: spec.externalName }]) : this.nxdomain();
    }
    if (question.type === 'SRV') return this.srv(question, service, fqdn, undefined, undefined);
    const clusterIP = clusterIPOf(service);
    if (clusterIP) return question.type === 'A' ? this.reply([this.a(question.name, clusterIP)]) : this.noData();
    const endpoints = this.readyEndpoints(service);
    if (endpoints.length === 0) return this.nxdomain();
    return question.type === 'A' ? this.reply(endpoints.map((e) => this.a(question.name, e.address))) : this.noData();
  }

  /** `<endpoint>.<service>.<ns>.svc.<domain>`: an endpoint by its hostname or dashed IP. */
  private endpoint(question: Question, service: V1Service, label: string): Reply {
    const matches = this.readyEndpoints(service).filter((e) => endpointHostname(e) === label);
    if (matches.length === 0) return this.nxdomain();
    return question.type === 'A' ? this.reply(matches.map((e) => this.a(question.name, e.address))) : this.noData();
  }

  /** SRV records of the Service's ports (those named `port` with protocol `proto`, when given). */
  private srv(question: Question, service: V1Service, fqdn: string, port: string | undefined, proto: string | undefined): Reply {
    const wanted = (name: string | null | undefined, protocol: string | undefined) =>
      (port === undefined || (name ?? '') === port) && (proto === undefined || (protocol ?? 'TCP').toLowerCase() === proto);
    const records: Array<{ port: number; target: string; address: string }> = [];
    const clusterIP = clusterIPOf(service);
    if (clusterIP) {
      for (const p of service.spec?.ports ?? []) if (wanted(p.name, p.protocol)) records.push({ port: p.port, target: fqdn, address: clusterIP });
    } else {
      for (const endpoint of this.readyEndpoints(service)) {
        for (const p of endpoint.ports) if (p.port && wanted(p.name, p.protocol)) records.push({ port: p.port, target: `${endpointHostname(endpoint)}.${fqdn}`, address: endpoint.address });
      }
    }
    if (records.length === 0) return port === undefined ? this.noData() : this.nxdomain();
    if (question.type !== 'SRV') return this.noData();
    // CoreDNS splits a weight of 100 evenly over the records of one priority.
    const weight = Math.floor(100 / records.length);
    const answers: Answer[] = records.map((r) => ({ type: 'SRV', name: question.name, ttl: this.options.ttl, data: { priority: 0, weight, port: r.port, target: r.target } }));
    const targets = new Map(records.map((r) => [`${r.target} ${r.address}`, r]));
    return { ...this.reply(answers), additionals: [...targets.values()].map((r) => this.a(r.target, r.address)) };
  }

  /** `<a-b-c-d>.<ns>.pod.<domain>`: the IP written in the name (`pods insecure`). */
  private podName(question: Question, labels: string[]): Reply {
    if (labels.length === 1) return this.noData();
    if (labels.length !== 2) return this.nxdomain();
    const ip = labels[0]!.replace(/-/g, '.');
    if (!isIPv4(ip)) return this.nxdomain();
    return question.type === 'A' ? this.reply([this.a(question.name, ip)]) : this.noData();
  }

  /** PTR for a ClusterIP or an endpoint address; undefined (forward it) for any other address. */
  private reverse(question: Question, name: string): Reply | undefined {
    const octets = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (octets.length !== 4) return undefined;
    const ip = octets.reverse().join('.');
    if (!isIPv4(ip)) return undefined;
    const names: string[] = [];
    for (const service of this.options.source.services()) {
      const fqdn = `${service.metadata.name}.${service.metadata.namespace}.svc.${this.options.domain}`;
      if (clusterIPOf(service) === ip) names.push(fqdn);
      for (const endpoint of this.readyEndpoints(service)) if (endpoint.address === ip) names.push(`${endpointHostname(endpoint)}.${fqdn}`);
    }
    if (names.length === 0) return undefined;
    return question.type === 'PTR' ? this.reply(names.map((data) => ({ type: 'PTR', name: question.name, ttl: this.options.ttl, data }))) : this.noData();
  }

  private readyEndpoints(service: V1Service): SliceEndpoint[] {
    return this.options.source.endpoints(service.metadata.namespace ?? 'default', service.metadata.name ?? '').filter((e) => e.ready);
  }

  private a(name: string, address: string): Answer {
    return { type: 'A', name, ttl: this.options.ttl, data: address };
  }

  /** The zone's SOA, as CoreDNS builds it: ns.dns.<zone>, hostmaster.<zone>, 7200 1800 86400, minimum TTL = the TTL. */
  private soa(): Answer {
    const { domain, ttl } = this.options;
    return {
      type: 'SOA',
      name: domain,
      ttl: Math.min(ttl, 300),
      data: { mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: this.options.source.serial(), refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
    };
  }

  private reply(answers: Answer[]): Reply {
    return { rcode: 'NOERROR', authoritative: true, answers, authorities: [], additionals: [] };
  }

  private noData(): Reply {
    return { rcode: 'NOERROR', authoritative: true, answers: [], authorities: [this.soa()], additionals: [] };
  }

  private nxdomain(): Reply {
    return { rcode: 'NXDOMAIN', authoritative: true, answers: [], authorities: [this.soa()], additionals: [] };
  }
}

function clusterIPOf(service: V1Service): string | undefined {
  const ip = service.spec?.clusterIP;
  return ip && ip !== CLUSTER_IP_NONE ? ip : undefined;
}

/** An endpoint's name in DNS: its hostname, or its IP with dashes (CoreDNS's endpointHostname). */
function endpointHostname(endpoint: SliceEndpoint): string {
  return endpoint.hostname ?? endpoint.address.replace(/\./g, '-');
}
