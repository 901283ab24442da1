import * as net from 'node:net';
import { FakeObjectsServer, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { SERVICE_NAME_LABEL, type V1EndpointSlice, type V1Service } from '../api';
import type { KubeProxyConfig } from '../config';
import { startKubeProxy, type KubeProxyOptions, type RunningKubeProxy } from '../server';

/** A random /24 of 127.X.Y (X in 100..250), so tests running side by side never share an address. */
export function randomNet(): (host: number) => string {
  const x = 100 + Math.floor(Math.random() * 151);
  const y = Math.floor(Math.random() * 256);
  return (host) => `127.${x}.${y}.${host}`;
}

export interface ServiceSpec {
  namespace?: string;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  ports?: Array<{ name?: string; port: number; nodePort?: number; protocol?: 'TCP' | 'UDP' }>;
  loadBalancerIPs?: string[];
  sessionAffinity?: { timeoutSeconds?: number };
  externalTrafficPolicy?: 'Cluster' | 'Local';
  externalName?: string;
}

export function service(name: string, spec: ServiceSpec): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: spec.namespace ?? 'default', uid: `uid-${name}` },
    spec: {
      type: spec.type ?? 'ClusterIP',
      clusterIP: spec.clusterIP,
      ports: spec.ports,
      externalName: spec.externalName,
      ...(spec.sessionAffinity && { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: spec.sessionAffinity.timeoutSeconds } } }),
      ...(spec.externalTrafficPolicy && { externalTrafficPolicy: spec.externalTrafficPolicy }),
    },
    status: { loadBalancer: { ingress: (spec.loadBalancerIPs ?? []).map((ip) => ({ ip, ipMode: 'VIP' })) } },
  };
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  nodeName?: string;
  hostname?: string;
}

export function endpointSlice(serviceName: string, endpoints: EndpointSpec[], ports: Array<{ name?: string; port: number; protocol?: 'TCP' | 'UDP' }>, options: { namespace?: string; name?: string } = {}): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: options.name ?? `${serviceName}-abcde`, namespace: options.namespace ?? 'default', labels: { [SERVICE_NAME_LABEL]: serviceName } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
      ...(e.nodeName && { nodeName: e.nodeName }),
      ...(e.hostname && { hostname: e.hostname }),
    })),
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** A pod's server: on every connection it says its name and closes. */
export async function backend(ip: string, name: string, port = 8080): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects, reads until the other side closes; rejects with the socket error (ECONNREFUSED, ECONNRESET...). */
export function ask(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, ...(localAddress && { localAddress }) });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
  });
}

/** Whether a TCP connection is accepted (then closed at once). */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** The error code of a connection attempt, or 'ok'. */
export async function connectResult(host: string, port: number): Promise<string> {
  try {
    await ask(host, port);
    return 'ok';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** An in-memory apiserver and the kube-proxies started against it; `close` stops them all. */
export class Lab {
  readonly api = new FakeObjectsServer();
  private master = '';
  private readonly proxies: RunningKubeProxy[] = [];
  private readonly closers: Array<() => Promise<void>> = [];

  async start(): Promise<this> {
    this.master = await this.api.start();
    return this;
  }

  /** The in-memory apiserver's object API (host:port), for a kube-proxy process of its own. */
  get masterAddress(): string {
    return this.master;
  }

  /** A kube-proxy of node `nodeName` whose node IP is `nodeIP`; resolves once it has synced. */
  async kubeProxy(nodeName: string, nodeIP: string, config: Partial<KubeProxyConfig> = {}, options: KubeProxyOptions = {}): Promise<RunningKubeProxy> {
    const proxy = await startKubeProxy(
      {
        nodeName,
        master: this.master,
        nodePortAddresses: [nodeIP],
        healthzBindAddress: { host: nodeIP, port: 0 },
        metricsBindAddress: { host: nodeIP, port: 0 },
        clusterDNS: undefined,
        clusterDNSPort: 53,
        clusterDomain: 'cluster.local',
        resolvConf: '/nonexistent',
        extraPortMappings: [],
        proxyMode: 'userspace',
        logLevel: 'silent',
        ...config,
      },
      createLogger('kube-proxy', process.env.KUBE_PROXY_TEST_LOG ?? 'silent'),
      { bindRetryMs: 100, upstreams: [], ...options },
    );
    this.proxies.push(proxy);
    await waitFor(() => proxy.synced(), { what: `kube-proxy ${nodeName} synced` });
    return proxy;
  }

  /** Runs `close` at the end of the test. */
  defer(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  apply(object: V1Service | V1EndpointSlice): void {
    const resource = object.kind === 'Service' ? Resources.services : Resources.endpointslices;
    const key = `${resource.group}/${resource.resource}/${object.metadata.namespace}/${object.metadata.name}`;
    this.api.write(resource, this.api.objects.has(key) ? 'MODIFIED' : 'ADDED', object as KubeObject);
  }

  remove(object: V1Service | V1EndpointSlice): void {
    const resource = object.kind === 'Service' ? Resources.services : Resources.endpointslices;
    this.api.write(resource, 'DELETED', object as KubeObject);
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.close()));
    await Promise.all(this.closers.map((c) => c()));
    this.api.stop();
  }
}
