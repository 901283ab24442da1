import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ConnectionResult } from './proxy-socket';

/** What the proxier reports about its sockets when scraped. */
export interface ProxySocketsSource {
  socketCounts(): { listening: number; waiting: number; connections: number };
}

/**
 * kube-proxy's own metrics (pkg/proxy/metrics) that mean something for a userspace proxy, plus
 * kubelab's view of its sockets: how many addresses it serves, how many it waits for (held by
 * another kube-proxy), and the connections it spliced.
 */
export class ProxierMetrics {
  readonly syncProxyRulesLatency: Histogram;
  readonly syncProxyRulesLastTimestamp: Gauge;
  readonly serviceChangesTotal: Counter;
  readonly endpointChangesTotal: Counter;
  private readonly connections: Counter<'result'>;
  private source: ProxySocketsSource | undefined;

  constructor(registry: Registry) {
    this.syncProxyRulesLatency = new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i),
      registers: [registry],
    });
    this.syncProxyRulesLastTimestamp = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers: [registry] });
    this.serviceChangesTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative proxy rules Service changes', registers: [registry] });
    this.endpointChangesTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total', help: 'Cumulative proxy rules Endpoint changes', registers: [registry] });
    this.connections = new Counter({
      name: 'kubelab_proxy_connections_total',
      help: "Connections accepted on Service addresses, by result: forwarded to an endpoint, failed (every endpoint refused), no_endpoint",
      labelNames: ['result'],
      registers: [registry],
    });
    const metrics = this;
    new Gauge({
      name: 'kubelab_proxy_sockets',
      help: 'Service addresses by state: listening (held by this kube-proxy), waiting (held by another kube-proxy on this machine)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = metrics.source?.socketCounts() ?? { listening: 0, waiting: 0, connections: 0 };
        this.set({ state: 'listening' }, counts.listening);
        this.set({ state: 'waiting' }, counts.waiting);
      },
    });
    new Gauge({
      name: 'kubelab_proxy_open_connections',
      help: 'Sockets of spliced connections open now (client and endpoint sides)',
      registers: [registry],
      collect() {
        this.set(metrics.source?.socketCounts().connections ?? 0);
      },
    });
  }

  watch(source: ProxySocketsSource): void {
    this.source = source;
  }

  connection(result: ConnectionResult): void {
    this.connections.inc({ result });
  }

  synced(seconds: number, at: number): void {
    this.syncProxyRulesLatency.observe(seconds);
    this.syncProxyRulesLastTimestamp.set(at / 1000);
  }
}
