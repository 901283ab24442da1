import { InformerFactory, componentUserAgent, ObjectsClient, Resources, realClock, type Clock } from '@kubelab/client';
import { connectNats, startHealthServer, type HealthServer, type Logger, type NatsLink } from '@kubelab/component-base';
import { Registry } from 'prom-client';
import type { V1EndpointSlice, V1Service } from './api';
import type { KubeProxyConfig } from './config';
import { DnsHandler } from './dns/handler';
import { DnsServer } from './dns/dns-server';
import { Forwarder } from './dns/forward';
import { DEFAULT_DNS_TTL, KubernetesZone } from './dns/kubernetes';
import { DnsMetrics } from './dns/metrics';
import { readResolvConf, type Upstream } from './dns/resolv-conf';
import { EndpointsChangeTracker } from './endpoints-change-tracker';
import { ExtraPortMappings } from './extra-port-mappings';
import { startProxierHealthServer, type ProxierHealthServer } from './healthz-server';
import { ProxierMetrics } from './metrics';
import { Proxier } from './proxier';
import { startNodePortRules } from './proxy-mode';
import { ServiceChangeTracker } from './service-change-tracker';

/** What tests and embedders may set besides the flags. */
export interface KubeProxyOptions {
  clock?: Clock;
  /** How often an address held by another kube-proxy is tried again (default 2 s). */
  bindRetryMs?: number;
  /** The resolvers for names outside the cluster (default: the nameservers of --resolv-conf, port 53). */
  upstreams?: Upstream[];
  /** How long one upstream resolver gets to answer (default 2 s). */
  forwardTimeoutMs?: number;
  /** The TTL of cluster records (default 30 s, as kubeadm's and kind's Corefile say: `ttl 30`). */
  dnsTTL?: number;
  /** The `nft` binary of the nftables proxy mode (default `nft` on PATH). */
  nft?: string;
}

export interface RunningKubeProxy {
  /** /healthz (kube-proxy's JSON), if served. */
  readonly healthzUrl: string | undefined;
  /** /metrics, if served. */
  readonly metricsUrl: string | undefined;
  readonly proxier: Proxier;
  /** The cluster DNS, with --cluster-dns. */
  readonly dns: DnsServer | undefined;
  /** Whether the informers have synced and the rules have been laid out once. */
  synced(): boolean;
  close(): Promise<void>;
}

const DEFAULT_BIND_RETRY_MS = 2_000;

/**
 * kube-proxy's process: informers on Services and EndpointSlices (every namespace) feed the
 * change trackers; once both have synced the proxier lays out its sockets and the cluster DNS
 * starts answering; /healthz and /metrics from the start. Nothing is served from a half-filled
 * cache: a Service whose endpoints were not listed yet would refuse connections.
 */
export async function startKubeProxy(config: KubeProxyConfig, rootLog: Logger, options: KubeProxyOptions = {}): Promise<RunningKubeProxy> {
  const log = rootLog.child({ node: config.nodeName });
  const clock = options.clock ?? realClock;
  const bindRetryMs = options.bindRetryMs ?? DEFAULT_BIND_RETRY_MS;
  const client = new ObjectsClient(config.master, { userAgent: componentUserAgent('kube-proxy') });
  const registry = new Registry();
  const metrics = new ProxierMetrics(registry);
  let lastChange = clock.now();

  let proxier: Proxier | undefined;
  const services = new ServiceChangeTracker(() => {
    metrics.serviceChangesTotal.inc();
    lastChange = clock.now();
    proxier?.requestSync();
  });
  const endpoints = new EndpointsChangeTracker(() => {
    metrics.endpointChangesTotal.inc();
    lastChange = clock.now();
    proxier?.requestSync();
  });
  const nodePorts = await startNodePortRules(config.proxyMode, config.nodeName, { retryMs: bindRetryMs, clock, log: log.child({ part: 'nftables' }), nft: options.nft });
  proxier = new Proxier({
    nodeName: config.nodeName,
    nodePortAddresses: config.nodePortAddresses,
    skipClusterIPs: new Set(config.clusterDNS ? [config.clusterDNS] : []),
    services,
    endpoints,
    bindRetryMs,
    clock,
    log: log.child({ part: 'proxier' }),
    metrics,
    nodePorts,
  });
  if (!config.nodePortAddresses.length) log.warn({}, 'no --nodeport-addresses: NodePorts are not served on this node');

  const factory = new InformerFactory({ client, clock, log: log.child({ part: 'informers' }), backoff: { initialMs: 200, maxMs: 5_000 } });
  const serviceInformer = factory.informer<V1Service>(Resources.services);
  const sliceInformer = factory.informer<V1EndpointSlice>(Resources.endpointslices);
  serviceInformer.addEventHandler(services);
  sliceInformer.addEventHandler(endpoints);

  let dns: DnsServer | undefined;
  if (config.clusterDNS) {
    const ttl = options.dnsTTL ?? DEFAULT_DNS_TTL;
    const server = `dns://${config.clusterDNS}:${config.clusterDNSPort}`;
    const dnsMetrics = new DnsMetrics(registry, server);
    const zone = new KubernetesZone({
      domain: config.clusterDomain,
      ttl,
      nameserver: config.clusterDNS,
      source: {
        service: (namespace, name) => serviceInformer.indexer.get(namespace, name),
        services: () => serviceInformer.indexer.list(),
        endpoints: (namespace, name) => endpoints.cache.endpoints(namespace, name),
        serial: () => Math.floor(lastChange / 1000),
      },
    });
    // Never forward to ourselves (a resolv.conf that names the cluster DNS would loop).
    const upstreams = (options.upstreams ?? readResolvConf(config.resolvConf)).filter((u) => !(u.host === config.clusterDNS && u.port === config.clusterDNSPort));
    if (!upstreams.length) log.warn({ resolvConf: config.resolvConf }, 'no upstream resolvers: names outside the cluster will get SERVFAIL');
    const forwarder = new Forwarder({ upstreams, timeoutMs: options.forwardTimeoutMs ?? 2_000, log: log.child({ part: 'dns' }), onRequest: (to) => dnsMetrics.forward(to) });
    const handler = new DnsHandler({ domain: config.clusterDomain, zone, forwarder, log: log.child({ part: 'dns' }), metrics: dnsMetrics });
    dns = new DnsServer({ address: config.clusterDNS, port: config.clusterDNSPort, handle: (message, transport) => handler.handle(message, transport), retryMs: bindRetryMs, clock, log: log.child({ part: 'dns' }) });
  }

  const mappings = config.extraPortMappings.length ? new ExtraPortMappings(config.extraPortMappings, config.nodePortAddresses[0]!, { retryMs: bindRetryMs, clock, log: log.child({ part: 'extraPortMappings' }) }) : undefined;

  let synced = false;
  const started: Array<HealthServer | ProxierHealthServer> = [];
  const stopping = new AbortController();
  let healthz: ProxierHealthServer | undefined;
  let metricsServer: HealthServer | undefined;
  try {
    if (config.healthzBindAddress) {
      healthz = await startProxierHealthServer({ ...config.healthzBindAddress, clock, lastUpdated: () => (synced ? proxier.lastSyncTime : undefined) });
      started.push(healthz);
    }
    if (config.metricsBindAddress) {
      metricsServer = await startHealthServer({ ...config.metricsBindAddress, registry, readiness: { informers: () => synced } });
      started.push(metricsServer);
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    await mappings?.close();
    await nodePorts?.close();
    client.close();
    throw error;
  }
  const nats: NatsLink | undefined = config.natsUrl
    ? connectNats(config.natsUrl, log, () => ({ component: 'kube-proxy', node: config.nodeName, health: healthz?.url, metrics: metricsServer?.url, pid: process.pid }))
    : undefined;

  factory.start();
  const running = (async () => {
    const aborted = new Promise((resolve) => stopping.signal.addEventListener('abort', resolve, { once: true }));
    while (!synced && !stopping.signal.aborted) {
      await Promise.race([factory.waitForSync(30_000).then(() => (synced = true)), aborted]).catch((error: Error) => log.warn({ err: error.message, master: config.master }, 'waiting for the Service and EndpointSlice informers to sync'));
    }
    if (stopping.signal.aborted) return;
    proxier.start();
    dns?.start();
    log.info({ services: serviceInformer.indexer.size, endpointSlices: sliceInformer.indexer.size, frontends: proxier.frontends().length }, 'informers synced; proxying');
  })();
  log.info({ master: config.master, healthz: healthz?.url, metrics: metricsServer?.url, clusterDNS: config.clusterDNS && `${config.clusterDNS}:${config.clusterDNSPort}`, nodePortAddresses: config.nodePortAddresses, proxyMode: nodePorts ? 'nftables' : 'userspace' }, 'kube-proxy started');

  let closing: Promise<void> | undefined;
  return {
    healthzUrl: healthz?.url,
    metricsUrl: metricsServer?.url,
    proxier,
    dns,
    synced: () => synced && proxier.lastSyncTime !== undefined,
    close: () =>
      (closing ??= (async () => {
        stopping.abort();
        await running;
        await factory.stop();
        await Promise.all([proxier.close(), nodePorts?.close(), dns?.close(), mappings?.close(), ...started.map((s) => s.close())]);
        await nats?.close();
        client.close();
      })()),
  };
}
