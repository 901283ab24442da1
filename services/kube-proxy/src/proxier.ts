import type { Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { categorizeEndpoints, type Endpoint } from './endpoint';
import type { EndpointsChangeTracker } from './endpoints-change-tracker';
import type { ProxierMetrics } from './metrics';
import type { NodePortFrontend } from './nftables/node-port-rules';
import { ProxySocket, type ProxyRoute } from './proxy-socket';
import { LoadBalancerRR } from './round-robin';
import type { ServiceChangeTracker } from './service-change-tracker';
import type { ServicePort } from './service-port';

export interface ProxierOptions {
  nodeName: string;
  /** This node's IPs (--nodeport-addresses): NodePorts listen on each. */
  nodePortAddresses: readonly string[];
  /** Services whose ClusterIP is left to someone else: the cluster DNS serves the kube-dns ClusterIP itself. */
  skipClusterIPs: ReadonlySet<string>;
  services: ServiceChangeTracker;
  endpoints: EndpointsChangeTracker;
  /** How often a socket held by another kube-proxy is tried again. */
  bindRetryMs: number;
  clock: Clock;
  log: Logger;
  metrics?: ProxierMetrics;
  /**
   * NodePorts in the kernel (`--proxy-mode nftables`): each sync hands them the NodePort
   * frontends instead of opening sockets for them. Absent: every frontend is a socket.
   */
  nodePorts?: NodePortRules;
}

/** Where the NodePorts go when they are not sockets (the nftables rules). */
export interface NodePortRules {
  sync(frontends: readonly NodePortFrontend[]): void;
  /** Whether the kernel holds the NodePorts of the latest sync. */
  readonly synced: boolean;
}

/** One address a Service is reached on, as the last sync laid them out (for logs, tests and the metrics). */
export interface Frontend {
  address: string;
  port: number;
  kind: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalIP';
  servicePort: string;
  endpoints: number;
  /** Sockets of spliced connections open now (client and endpoint sides). */
  connections: number;
  listening: boolean;
  waiting: boolean;
}

interface DesiredFrontend {
  kind: Frontend['kind'];
  route: ProxyRoute;
}

/**
 * The proxier (kube-proxy's userspace mode, in Node): `syncProxyRules` turns the ServicePortMap
 * and the EndpointsMap into listening sockets — every ClusterIP:port, every load-balancer
 * ingress IP and external IP:port, and for NodePort and LoadBalancer Services
 * <node IP>:nodePort — each splicing its connections to a ready endpoint picked round-robin
 * (sticky per client IP with sessionAffinity ClientIP). External traffic of a Service with
 * externalTrafficPolicy Local only goes to this node's endpoints. Syncs are asked for by the
 * change trackers and coalesced: many informer events in one turn of the loop, one sync. With
 * `nodePorts` (`--proxy-mode nftables`) the NodePorts are not sockets: each sync hands them to
 * the kernel's DNAT rules instead.
 */
export class Proxier {
  private readonly sockets = new Map<string, { kind: Frontend['kind']; socket: ProxySocket }>();
  /** The NodePorts of the last sync, when they are kernel rules. */
  private kernelNodePorts: NodePortFrontend[] = [];
  /** Sockets of frontends gone in a sync, no longer listening, whose connections have not all ended. */
  private readonly draining = new Set<ProxySocket>();
  private readonly balancer: LoadBalancerRR;
  private readonly skippedProtocols = new Set<string>();
  private started = false;
  private scheduled = false;
  private closed = false;
  private lastSync: number | undefined;

  constructor(private readonly options: ProxierOptions) {
    this.balancer = new LoadBalancerRR(options.clock);
    options.metrics?.watch({
      socketCounts: () => {
        let listening = 0;
        let waiting = 0;
        let connections = 0;
        for (const { socket } of this.sockets.values()) {
          if (socket.listening) listening++;
          if (socket.waiting) waiting++;
          connections += socket.openConnections;
        }
        for (const socket of this.draining) connections += socket.openConnections;
        return { listening, waiting, connections };
      },
    });
  }

  /** When the rules were last synced (ms on the clock), undefined before the first sync. */
  get lastSyncTime(): number | undefined {
    return this.lastSync;
  }

  /** Syncs now and on every change from here on (called once the informers have synced). */
  start(): void {
    this.started = true;
    this.syncProxyRules();
  }

  /** Asks for a sync; several asks in one turn of the event loop make one sync. */
  requestSync(): void {
    if (!this.started || this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) this.syncProxyRules();
    });
  }

  /** Lays the sockets out as the Services and endpoints say now. */
  syncProxyRules(): void {
    const started = performance.now();
    const desired = new Map<string, DesiredFrontend>();
    const servicePorts = this.options.services.servicePorts();
    for (const servicePort of servicePorts) this.frontendsOf(servicePort, desired);
    if (this.options.nodePorts) {
      const nodePorts: NodePortFrontend[] = [];
      for (const [key, { kind, route }] of desired) {
        if (kind !== 'NodePort') continue;
        const [address, port] = splitHostPort(key);
        nodePorts.push({ address, port, route });
        desired.delete(key);
      }
      this.kernelNodePorts = nodePorts;
      this.options.nodePorts.sync(nodePorts);
    }
    for (const [key, { kind, socket }] of this.sockets) {
      const want = desired.get(key);
      if (want && want.kind === kind) continue;
      // The frontend is gone (port, nodePort, IP or type changed, Service deleted): stop accepting,
      // but leave its established connections alone, as kube-proxy leaves conntrack's TCP entries.
      this.sockets.delete(key);
      this.draining.add(socket);
      void socket.stop().then(() => this.draining.delete(socket));
    }
    for (const [key, { kind, route }] of desired) {
      let entry = this.sockets.get(key);
      if (!entry) {
        const [address, port] = splitHostPort(key);
        const socket = new ProxySocket({
          address,
          port,
          kind,
          pick: (r, clientIP, exclude) => this.balancer.nextEndpoint(r.servicePort, r.endpoints, clientIP, r.stickyMaxAgeSeconds, exclude),
          retryMs: this.options.bindRetryMs,
          clock: this.options.clock,
          log: this.options.log.child({ service: route.servicePort }),
          onConnection: (result) => this.options.metrics?.connection(result),
        });
        this.sockets.set(key, (entry = { kind, socket }));
      }
      entry.socket.setRoute(route);
    }
    this.balancer.retain(new Set(servicePorts.map((p) => p.key)));
    this.lastSync = this.options.clock.now();
    const seconds = (performance.now() - started) / 1000;
    this.options.metrics?.synced(seconds, this.lastSync);
    this.options.log.debug({ servicePorts: servicePorts.length, sockets: this.sockets.size, ms: Math.round(seconds * 1000) }, 'synced proxy rules');
  }

  /** Every address the proxier serves or waits for. */
  frontends(): Frontend[] {
    const kernel = this.kernelNodePorts.map(({ address, port, route }): Frontend => ({
      address,
      port,
      kind: 'NodePort',
      servicePort: route.servicePort,
      endpoints: route.endpoints.length,
      connections: 0,
      listening: route.endpoints.length > 0 && this.options.nodePorts!.synced,
      waiting: false,
    }));
    const sockets = [...this.sockets.values()].map(({ kind, socket }) => ({
      address: socket.address,
      port: socket.port,
      kind,
      servicePort: socket.servicePort,
      endpoints: socket.endpointCount,
      connections: socket.openConnections,
      listening: socket.listening,
      waiting: socket.waiting,
    }));
    return [...sockets, ...kernel];
  }

  /** Closes every socket and the connections it spliced, those of gone frontends too. */
  async close(): Promise<void> {
    this.closed = true;
    const sockets = [...[...this.sockets.values()].map(({ socket }) => socket), ...this.draining];
    this.sockets.clear();
    this.draining.clear();
    await Promise.all(sockets.map((socket) => socket.close()));
  }

  private frontendsOf(servicePort: ServicePort, desired: Map<string, DesiredFrontend>): void {
    if (servicePort.clusterIP && this.options.skipClusterIPs.has(servicePort.clusterIP)) return;
    if (servicePort.protocol !== 'TCP') {
      if (!this.skippedProtocols.has(servicePort.key)) {
        this.skippedProtocols.add(servicePort.key);
        this.options.log.info({ service: servicePort.key, protocol: servicePort.protocol }, 'only TCP Service ports are proxied; skipping this one');
      }
      return;
    }
    // In a stable order, for the round-robin's cursor.
    const all = this.options.endpoints.endpointsFor(servicePort.name).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const { clusterEndpoints, localEndpoints } = categorizeEndpoints(all, this.options.nodeName);
    const external = servicePort.externalPolicyLocal ? localEndpoints : clusterEndpoints;
    const route = (endpoints: Endpoint[]): ProxyRoute => ({ servicePort: servicePort.key, endpoints, stickyMaxAgeSeconds: servicePort.stickyMaxAgeSeconds });
    if (servicePort.clusterIP) desired.set(`${servicePort.clusterIP}:${servicePort.port}`, { kind: 'ClusterIP', route: route(clusterEndpoints) });
    for (const ip of servicePort.externalIPs) desired.set(`${ip}:${servicePort.port}`, { kind: 'ExternalIP', route: route(external) });
    for (const ip of servicePort.loadBalancerIPs) desired.set(`${ip}:${servicePort.port}`, { kind: 'LoadBalancer', route: route(external) });
    if (servicePort.nodePort) for (const ip of this.options.nodePortAddresses) desired.set(`${ip}:${servicePort.nodePort}`, { kind: 'NodePort', route: route(external) });
  }
}

function splitHostPort(key: string): [string, number] {
  const colon = key.lastIndexOf(':');
  return [key.slice(0, colon), Number(key.slice(colon + 1))];
}
