import { Counter, type Registry } from 'prom-client';

/** The cluster DNS's metrics, under CoreDNS's names so the usual dashboards read them. */
export class DnsMetrics {
  private readonly requests: Counter<'server' | 'zone' | 'proto' | 'type'>;
  private readonly responses: Counter<'server' | 'zone' | 'rcode'>;
  private readonly forwards: Counter<'to'>;

  constructor(
    registry: Registry,
    private readonly server: string,
  ) {
    this.requests = new Counter({ name: 'coredns_dns_requests_total', help: 'Counter of DNS requests made per zone, protocol and family.', labelNames: ['server', 'zone', 'proto', 'type'], registers: [registry] });
    this.responses = new Counter({ name: 'coredns_dns_responses_total', help: 'Counter of response status codes.', labelNames: ['server', 'zone', 'rcode'], registers: [registry] });
    this.forwards = new Counter({ name: 'coredns_forward_requests_total', help: 'Counter of requests made per upstream.', labelNames: ['to'], registers: [registry] });
  }

  request(zone: string, proto: 'udp' | 'tcp', type: string): void {
    this.requests.inc({ server: this.server, zone, proto, type });
  }

  response(zone: string, rcode: string): void {
    this.responses.inc({ server: this.server, zone, rcode });
  }

  forward(to: string): void {
    this.forwards.inc({ to });
  }
}
