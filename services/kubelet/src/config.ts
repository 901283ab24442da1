import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import { parseQuantity } from '@kubelab/apimachinery';
import { countFlag, durationFlag, portFlag } from '@kubelab/component-base';

/** What a kubelet is told by its flags: which node it is, where the apiserver is, its timings. */
export interface KubeletConfig {
  /** The Node this kubelet registers and runs pods for. */
  nodeName: string;
  /** The apiserver's object API (gRPC), host:port. */
  master: string;
  /** The node's InternalIP: the kubelet API, /healthz and the node's NodePorts live here. */
  nodeIP: string;
  /** The pod IPs of this node, e.g. 127.244.1.0/24 (Node spec.podCIDR). */
  podCIDR: string;
  /** The kubelet API (gRPC: logs, exec, attach, port-forward), on nodeIP. 10250 as Kubernetes'. */
  port: number;
  /** /healthz on nodeIP. 10248 as Kubernetes'. */
  healthzPort: number;
  /** State, container logs and pod records live here (kubelet's --root-dir). */
  rootDir: string;
  /** Extra node labels, as --node-labels k=v,k2=v2. */
  nodeLabels: Record<string, string>;
  /** Taints to register with, as --register-with-taints key=value:Effect,... */
  registerWithTaints: Array<{ key: string; value?: string; effect: string }>;
  /** Capacity of the node: cpu, memory, pods (and ephemeral-storage). */
  capacity: Record<string, string>;
  /** The cluster DNS server's IP (kube-dns Service), and the cluster's domain. */
  clusterDNS?: string;
  clusterDomain: string;
  /** How often the node's status is computed and posted if it changed; the Lease is renewed every leaseDuration / 4. */
  nodeStatusUpdateFrequencyMs: number;
  /** The longest a status goes unposted when nothing changed (KubeletConfiguration nodeStatusReportFrequency, 5m). */
  nodeStatusReportFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
  /** CrashLoopBackOff: the first back-off, doubled each restart up to the max. Kubernetes: 10s, 5m. */
  crashLoopBackOffInitialMs: number;
  crashLoopBackOffMaxMs: number;
  /** How often pods' CPU and memory are sampled (limits enforced, stats published). */
  housekeepingIntervalMs: number;
  natsUrl?: string;
  /** Static pod manifests (one Pod per file): the kubelet creates their mirror pods (--pod-manifest-path). */
  podManifestPath?: string;
  logLevel: string;
}

/** `kubelab kubelet` flags, named as the kubelet's where it has them. */
export function parseKubeletFlags(argv: string[]): Readonly<KubeletConfig> {
  const program = new Command('kubelab kubelet')
    .description('registers its Node, renews its Lease and runs the pods bound to it as real processes')
    .exitOverride()
    .requiredOption('--node-name <name>', 'the name of the Node this kubelet runs')
    .option('--master <host:port>', "the apiserver's object API (gRPC)", '127.0.0.1:6444')
    .option('--node-ip <ip>', "the node's InternalIP (a 127.0.0.0/8 address on one machine)", ipFlag, '127.0.0.1')
    .option('--pod-cidr <cidr>', 'the pod IPs of this node', cidrFlag, '127.244.0.0/24')
    .option('--port <port>', 'the kubelet API (gRPC), on --node-ip', portFlag, 10250)
    .option('--healthz-port <port>', '/healthz, on --node-ip', portFlag, 10248)
    .option('--root-dir <dir>', 'where the kubelet keeps pod records and container logs', path.join(os.tmpdir(), 'kubelab-kubelet'))
    .option('--node-labels <k=v,...>', 'labels to add to the Node when registering', mapFlag, {})
    .option('--register-with-taints <key=value:Effect,...>', 'taints to register the Node with', taintsFlag, [])
    .option('--capacity <cpu=N,memory=Q,pods=N>', "the node's capacity", mapFlag, {})
    .option('--cluster-dns <ip>', "the cluster DNS server's IP, written into pods' resolv.conf", ipFlag)
    .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
    .option('--node-status-update-frequency <duration>', "how often the node's status is computed (and posted when it changed)", durationFlag, 10_000)
    .option('--node-status-report-frequency <duration>', "the longest the node's status goes unposted when nothing changed", durationFlag, 300_000)
    .option('--node-lease-duration-seconds <n>', "the node Lease's duration; it is renewed every quarter of it", countFlag, 40)
    .option('--crash-loop-back-off-initial <duration>', 'the first CrashLoopBackOff (doubles per restart)', durationFlag, 10_000)
    .option('--crash-loop-back-off-max <duration>', 'the longest CrashLoopBackOff', durationFlag, 300_000)
    .option('--housekeeping-interval <duration>', 'how often containers are measured (memory limits, CPU limits, stats)', durationFlag, 1_000)
    .option('--nats-url <url>', 'publish pod and node stats on NATS')
    .option('--pod-manifest-path <dir>', 'a folder of static pod manifests (kubelab: pods of processes the lab runs, which get mirror pods)')
    .option('--log-level <level>', 'pino log level', 'info');
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  if ((o.crashLoopBackOffMax as number) < (o.crashLoopBackOffInitial as number)) {
    throw new Error('--crash-loop-back-off-max must be at least --crash-loop-back-off-initial');
  }
  const capacity = capacityOf({ cpu: '2', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi', ...(o.capacity as Record<string, string>) });
  return Object.freeze({
    nodeName: o.nodeName as string,
    master: o.master as string,
    nodeIP: o.nodeIp as string,
    podCIDR: o.podCidr as string,
    port: o.port as number,
    healthzPort: o.healthzPort as number,
    rootDir: path.resolve(o.rootDir as string),
    nodeLabels: o.nodeLabels as Record<string, string>,
    registerWithTaints: o.registerWithTaints as KubeletConfig['registerWithTaints'],
    capacity,
    clusterDNS: o.clusterDns as string | undefined,
    clusterDomain: o.clusterDomain as string,
    nodeStatusUpdateFrequencyMs: o.nodeStatusUpdateFrequency as number,
    nodeStatusReportFrequencyMs: o.nodeStatusReportFrequency as number,
    nodeLeaseDurationSeconds: o.nodeLeaseDurationSeconds as number,
    crashLoopBackOffInitialMs: o.crashLoopBackOffInitial as number,
    crashLoopBackOffMaxMs: o.crashLoopBackOffMax as number,
    housekeepingIntervalMs: o.housekeepingInterval as number,
    natsUrl: o.natsUrl as string | undefined,
    podManifestPath: o.podManifestPath === undefined ? undefined : path.resolve(o.podManifestPath as string),
    logLevel: o.logLevel as string,
  });
}

function mapFlag(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`"${pair}" is not key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function taintsFlag(value: string): KubeletConfig['registerWithTaints'] {
  return value
    .split(',')
    .filter(Boolean)
    .map((taint) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(taint);
      if (!m) throw new InvalidArgumentError(`"${taint}" is not key[=value]:Effect`);
      return m[2] === undefined ? { key: m[1]!, effect: m[3]! } : { key: m[1]!, value: m[2], effect: m[3]! };
    });
}

/** Each capacity is a resource quantity (checked after parsing, so a plain Error: runComponent prints it), written as the apiserver will store it ("8192Mi" is "8Gi"). */
function capacityOf(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    try {
      out[name] = parseQuantity(value).toString();
    } catch (error) {
      throw new Error(`--capacity ${name}="${value}": ${(error as Error).message}`);
    }
  }
  return out;
}

function ipFlag(value: string): string {
  if (!net.isIPv4(value)) throw new InvalidArgumentError(`"${value}" is not an IPv4 address`);
  return value;
}

function cidrFlag(value: string): string {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length || !ip || !net.isIPv4(ip) || !/^\d+$/.test(bits ?? '') || Number(bits) > 32) throw new InvalidArgumentError(`"${value}" is not an IPv4 CIDR (a.b.c.d/n)`);
  return value;
}
