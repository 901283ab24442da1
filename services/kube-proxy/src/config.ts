import { isIPv4 } from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import { portFlag } from '@kubelab/component-base';
import { parseExtraPortMappings, type ExtraPortMapping } from './extra-port-mappings';

/** An address to serve HTTP on. */
export interface BindAddress {
  host: string;
  port: number;
}

export interface KubeProxyConfig {
  /** The node this kube-proxy runs on (kube-proxy's --hostname-override): its endpoints are the local ones. */
  nodeName: string;
  /** The apiserver's object API (gRPC), host:port. */
  master: string;
  /** The node's IPs: NodePorts listen on each. The first is the node IP extra port mappings forward to. */
  nodePortAddresses: string[];
  /** /healthz as kube-proxy serves it (JSON); undefined: not served. */
  healthzBindAddress: BindAddress | undefined;
  /** /metrics (and /healthz, /livez); undefined: not served. */
  metricsBindAddress: BindAddress | undefined;
  /** The kube-dns ClusterIP: the cluster DNS is served there. Undefined: no DNS. */
  clusterDNS: string | undefined;
  clusterDNSPort: number;
  clusterDomain: string;
  /** Where the upstream resolvers for names outside the cluster come from. */
  resolvConf: string;
  extraPortMappings: ExtraPortMapping[];
  /** How NodePorts are served: userspace (the default), nftables, or '' for nftables where it can be used and userspace elsewhere. */
  proxyMode: ProxyModeFlag;
  natsUrl?: string;
  logLevel: string;
}

/** `--proxy-mode`: kube-proxy's flag, with the two modes kubelab has. */
export type ProxyModeFlag = '' | 'userspace' | 'nftables';

export const DEFAULT_HEALTHZ_PORT = 10256;
export const DEFAULT_METRICS_PORT = 10249;

/** `kubelab kube-proxy` flags, named as kube-proxy's (and the kubelet's, for the DNS ones) where they have them. */
export function parseKubeProxyFlags(argv: string[]): Readonly<KubeProxyConfig> {
  const program = new Command('kubelab kube-proxy')
    .description('forwards Service traffic (ClusterIP, NodePort, LoadBalancer) of one node to ready endpoints, and answers cluster DNS')
    .exitOverride()
    .requiredOption('--node-name <name>', 'the node this kube-proxy runs on (kube-proxy: --hostname-override)')
    .option('--master <host:port>', "the apiserver's object API (gRPC)", '127.0.0.1:6444')
    .option('--nodeport-addresses <cidr,...>', "the node's IPs as /32 CIDRs: NodePorts listen on each", cidrList, [] as string[])
    .option('--healthz-bind-address <ip:port>', `where /healthz is served (default <first nodeport address>:${DEFAULT_HEALTHZ_PORT}, or 127.0.0.1:${DEFAULT_HEALTHZ_PORT}); empty: not served`)
    .option('--metrics-bind-address <ip:port>', 'where /metrics is served; empty: not served', `127.0.0.1:${DEFAULT_METRICS_PORT}`)
    .option('--cluster-dns <ip>', 'serve the cluster DNS on this IP (the kube-dns ClusterIP); absent: no DNS', ipFlag)
    .option('--cluster-dns-port <port>', 'the port of the cluster DNS (UDP and TCP)', portFlag, 53)
    .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
    .option('--resolv-conf <path>', 'the resolver file whose nameservers answer names outside the cluster', '/etc/resolv.conf')
    .option('--extra-port-mappings <listenAddress:hostPort:containerPort,...>', "kind's extraPortMappings of this node: listen on listenAddress:hostPort, forward to <node IP>:containerPort", mappingsFlag, [] as ExtraPortMapping[])
    .option('--proxy-mode <mode>', "how NodePorts are served: 'userspace' (a socket per NodePort, spliced; a refused endpoint is retried on the next), 'nftables' (DNAT rules in the kernel, owned by this process: root and the nft tool); empty: nftables where it can be used, else userspace. ClusterIP and LoadBalancer addresses are always sockets", proxyModeFlag, 'userspace' as ProxyModeFlag)
    .option('--nats-url <url>', 'announce kube-proxy on NATS')
    .option('--log-level <level>', 'pino log level', 'info');
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  const nodePortAddresses = o.nodeportAddresses as string[];
  const extraPortMappings = o.extraPortMappings as ExtraPortMapping[];
  if (extraPortMappings.length && !nodePortAddresses.length) throw new Error('--extra-port-mappings needs --nodeport-addresses (the node IP to forward to)');
  const healthz = (o.healthzBindAddress as string | undefined) ?? `${nodePortAddresses[0] ?? '127.0.0.1'}:${DEFAULT_HEALTHZ_PORT}`;
  return Object.freeze({
    nodeName: o.nodeName as string,
    master: o.master as string,
    nodePortAddresses,
    healthzBindAddress: bindAddress('--healthz-bind-address', healthz, DEFAULT_HEALTHZ_PORT),
    metricsBindAddress: bindAddress('--metrics-bind-address', o.metricsBindAddress as string, DEFAULT_METRICS_PORT),
    clusterDNS: o.clusterDns as string | undefined,
    clusterDNSPort: o.clusterDnsPort as number,
    clusterDomain: (o.clusterDomain as string).replace(/\.$/, '').toLowerCase(),
    resolvConf: o.resolvConf as string,
    extraPortMappings,
    proxyMode: o.proxyMode as ProxyModeFlag,
    natsUrl: o.natsUrl as string | undefined,
    logLevel: o.logLevel as string,
  });
}

function proxyModeFlag(value: string): ProxyModeFlag {
  if (value !== '' && value !== 'userspace' && value !== 'nftables') throw new InvalidArgumentError(`"${value}" is not a proxy mode kubelab has (nftables, userspace)`);
  return value;
}

function ipFlag(value: string): string {
  if (!isIPv4(value)) throw new InvalidArgumentError(`"${value}" is not an IPv4 address`);
  return value;
}

/** `a.b.c.d/32,...` (a bare IP is taken as /32): one machine cannot listen on every address of a wider range. */
function cidrList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((cidr) => {
      const [ip, bits] = cidr.split('/');
      if (!isIPv4(ip ?? '') || (bits !== undefined && bits !== '32')) throw new InvalidArgumentError(`"${cidr}" is not a single address (a.b.c.d/32): kubelab's NodePorts listen on the node's own IP`);
      return ip!;
    });
}

function mappingsFlag(value: string): ExtraPortMapping[] {
  try {
    return parseExtraPortMappings(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function bindAddress(flag: string, value: string, defaultPort: number): BindAddress | undefined {
  if (value === '') return undefined;
  const colon = value.lastIndexOf(':');
  const host = colon < 0 ? value : value.slice(0, colon);
  const port = colon < 0 ? String(defaultPort) : value.slice(colon + 1);
  if (!isIPv4(host) || !/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`${flag}: "${value}" is not ip:port`);
  return { host, port: Number(port) };
}
