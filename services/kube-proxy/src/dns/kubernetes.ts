import { isIP, isIPv4 } from 'node:net';
import type { Answer, Question, StringAnswer } from 'dns-packet';
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
  /** The TTL of every record (DEFAULT_DNS_TTL: kubeadm's and kind's Corefile say `ttl 30`). */
  ttl: number;
  source: ClusterRecordsSource;
  /** The cluster DNS's own address (the kube-dns ClusterIP): `ns.dns.<domain>` A and the zone's NS. */
  nameserver?: string;
}

/** The TTL kubeadm's and kind's Corefile give the cluster records (`ttl 30`; the plugin's own default is 5). */
export const DEFAULT_DNS_TTL = 30;
/** The version of the Kubernetes DNS specification answered at `dns-version.<domain>` TXT. */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** CoreDNS gives the dns-version TXT record a TTL of 8 hours. */
const DNS_VERSION_TTL = 28_800;
/** CoreDNS follows at most this many CNAMEs of ExternalName Services within the zone. */
const MAX_CNAME_CHAIN = 8;

/** The answers of `name` `type` from the upstream resolvers (undefined: none answered). */
export type UpstreamLookup = (name: string, type: 'A' | 'AAAA') => Promise<Answer[] | undefined>;

/** What one question's resolution carries: the upstreams, and the CNAMEs followed so far. */
interface Lookup {
  upstream: UpstreamLookup | undefined;
  chain: StringAnswer[];
}

/**
 * The cluster zone as CoreDNS's kubernetes plugin answers it (the DNS specification for
 * Kubernetes, schema 1.1.0):
 * - `<service>.<ns>.svc.<domain>` A: the ClusterIP; for a headless Service the addresses of its
 *   ready endpoints (none: NXDOMAIN). An ExternalName Service is a CNAME to its external name,
 *   and for A/AAAA the CNAME is followed by the target's records, looked up through the upstreams
 *   (or in the zone, for a target inside it), as CoreDNS's plugin.A does; no SRV for it (NODATA).
 * - `<hostname>.<service>.<ns>.svc.<domain>` A: one endpoint (its hostname, or its IP with dashes).
 * - `_<port>._<proto>.<service>.<ns>.svc.<domain>` SRV: the named port, targets with A records in
 *   the additional section; `<service>.<ns>.svc.<domain>` SRV: every port.
 * - `<a-b-c-d>.<ns>.pod.<domain>` A: a.b.c.d (the `pods insecure` mode of kubeadm's Corefile).
 * - PTR for ClusterIPs and endpoint IPs (other reverse names fall through to the upstreams).
 * - `dns-version.<domain>` TXT "1.1.0"; `ns.dns.<domain>` A and `<domain>` NS: the cluster DNS's
 *   own address (the kube-dns Service's name and ClusterIP).
 * A name that exists but has no record of the asked type is NOERROR with no answer; a name that
 * does not exist is NXDOMAIN; both carry the zone's SOA in the authority section.
 */
export class KubernetesZone {
  constructor(private readonly options: KubernetesZoneOptions) {}

  /**
   * The reply for a question this zone owns, or undefined for a name it does not (to be
   * forwarded). `upstream` looks up the targets of ExternalName Services outside the zone.
   */
  async answer(question: Question, upstream?: UpstreamLookup): Promise<Reply | undefined> {
    return this.resolve(question, { upstream, chain: [] });
  }

  private async resolve(question: Question, lookup: Lookup): Promise<Reply | undefined> {
    const name = canonicalName(question.name);
    if (name.endsWith('.in-addr.arpa')) return this.reverse(question, name);
    if (!this.inZone(name)) return undefined;
    const { domain } = this.options;
    const labels = name === domain ? [] : name.slice(0, -(domain.length + 1)).split('.');
    if (labels.length === 0) return this.apex(question);
    if (labels.length === 1 && labels[0] === 'dns-version') {
      return question.type === 'TXT' ? this.reply([{ type: 'TXT', name: question.name, ttl: DNS_VERSION_TTL, data: DNS_SCHEMA_VERSION }]) : this.nxdomain();
    }
    if (labels.length === 2 && labels[0] === 'ns' && labels[1] === 'dns') {
      const { nameserver } = this.options;
      return question.type === 'A' && nameserver && isIPv4(nameserver) ? this.reply([this.a(question.name, nameserver)]) : this.noData();
    }
    const kind = labels[labels.length - 1];
    const rest = labels.slice(0, -1);
    if (kind === 'svc') return this.serviceName(question, rest, lookup);
    if (kind === 'pod') return this.podName(question, rest);
    return this.nxdomain();
  }

  /** The zone's own name: its SOA, and its NS (the cluster DNS, with its address in the additional section). */
  private apex(question: Question): Reply {
    if (question.type === 'SOA') return this.reply([this.soa()]);
    const { nameserver, domain, ttl } = this.options;
    if (question.type !== 'NS' || !nameserver || !isIPv4(nameserver)) return this.noData();
    // CoreDNS names its NS after the Service whose address it answers on (kube-dns.kube-system.svc), else ns.dns.
    const services = this.options.source.services().filter((s) => clusterIPOf(s) === nameserver);
    const names = services.length ? services.map((s) => `${s.metadata.name}.${s.metadata.namespace}.svc.${domain}`) : [`ns.dns.${domain}`];
    return {
      ...this.reply(names.map((data) => ({ type: 'NS', name: question.name, ttl, data }))),
      additionals: names.map((n) => this.a(n, nameserver)),
    };
  }

  private async serviceName(question: Question, labels: string[], lookup: Lookup): Promise<Reply> {
    if (labels.length === 0) return this.noData();
    if (labels.length === 1) return this.options.source.services().some((s) => s.metadata.namespace === labels[0]) ? this.noData() : this.nxdomain();
    const [namespace, serviceName] = [labels[labels.length - 1]!, labels[labels.length - 2]!];
    const service = this.options.source.service(namespace, serviceName);
    if (!service) return this.nxdomain();
    const fqdn = `${serviceName}.${namespace}.svc.${this.options.domain}`;
    const external = service.spec?.type === 'ExternalName';
    if (labels.length === 2) return external ? this.externalName(question, service, lookup) : this.service(question, service, fqdn);
    // An ExternalName Service has no endpoints; its port names are not checked (CoreDNS's findServices).
    if (labels.length === 3) return external ? this.nxdomain() : this.endpoint(question, service, labels[0]!);
    if (labels.length === 4 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
      return external ? this.externalName(question, service, lookup) : this.srv(question, service, fqdn, labels[0]!.slice(1), labels[1]!.slice(1));
    }
    return this.nxdomain();
  }

  /**
   * An ExternalName Service: the CNAME alone for CNAME; for A/AAAA the CNAME followed by the
   * target's records (CoreDNS's plugin.A/AAAA); NODATA for any other type (SRV included: CoreDNS
   * drops ExternalName Services from SRV answers).
   */
  private async externalName(question: Question, service: V1Service, lookup: Lookup): Promise<Reply> {
    const target = service.spec?.externalName;
    // An address is no CNAME target: CoreDNS has no record for it.
    if (!target || isIP(target.replace(/\.$/, ''))) return this.nxdomain();
    const cname: StringAnswer = { type: 'CNAME', name: question.name, ttl: this.options.ttl, data: target.replace(/\.$/, '') };
    if (question.type === 'CNAME') return this.reply([cname]);
    if (question.type !== 'A' && question.type !== 'AAAA') return this.noData();
    const records = await this.follow(cname, question.type, lookup);
    return records.length ? this.reply(records) : this.noData();
  }

  /**
   * `cname` and the records of its target: resolved here when the target is in the zone (the
   * CNAME is left out if that finds nothing), else through the upstreams (the CNAME alone if they
   * do not answer). Bounded as CoreDNS's: no `x CNAME x`, no CNAME seen before on the way (a
   * loop), at most MAX_CNAME_CHAIN of them; the upstreams are asked once, at the end.
   */
  private async follow(cname: StringAnswer, type: 'A' | 'AAAA', lookup: Lookup): Promise<Answer[]> {
    const owner = canonicalName(cname.name);
    const target = canonicalName(cname.data);
    if (target === owner || lookup.chain.length >= MAX_CNAME_CHAIN) return [];
    if (lookup.chain.some((r) => canonicalName(r.name) === owner && canonicalName(r.data) === target)) return [];
    if (this.inZone(target)) {
      const next = await this.resolve({ name: target, type }, { ...lookup, chain: [...lookup.chain, cname] });
      return next?.rcode === 'NOERROR' && next.answers.length ? [cname, ...next.answers] : [];
    }
    const answers = lookup.upstream ? await lookup.upstream(target, type).catch(() => undefined) : undefined;
    return [cname, ...(answers ?? [])];
  }

  /** `<service>.<ns>.svc.<domain>` of a ClusterIP or headless Service. */
  private service(question: Question, service: V1Service, fqdn: string): Reply {
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
      const endpoints = this.readyEndpoints(service);
      // A headless Service without ready endpoints has no name at all (CoreDNS's errNoItems).
      if (endpoints.length === 0) return this.nxdomain();
      for (const endpoint of endpoints) {
        for (const p of endpoint.ports) if (p.port && wanted(p.name, p.protocol)) records.push({ port: p.port, target: `${endpointHostname(endpoint)}.${fqdn}`, address: endpoint.address });
      }
    }
    if (records.length === 0) return port === undefined ? this.noData() : this.nxdomain();
    if (question.type !== 'SRV') return this.noData();
    // CoreDNS splits a weight of 100 evenly over the records of one priority, each at least 1.
    const weight = Math.max(1, Math.floor(100 / records.length));
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

  private inZone(name: string): boolean {
    const { domain } = this.options;
    return name === domain || name.endsWith(`.${domain}`);
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
