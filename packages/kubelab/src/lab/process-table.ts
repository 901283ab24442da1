import * as path from 'node:path';
import { paths, type LabLayout } from './layout';
import type { NetworkPlan } from './network';
import type { Profile } from './profiles';
import type { Topology, TopologyNode } from './topology';

/** One process of the lab: how to start it, where it serves, how to tell it is healthy. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** What it serves, for people ("nats://127.0.0.1:4222"). */
  address: string;
  healthUrl: string;
  logFile: string;
  /** The node a kubelet or kube-proxy runs for; the node processes start together, after the control plane. */
  node?: string;
  /**
   * The static pod that shows this process in kube-system, as kubeadm's manifests show the
   * control plane (static-pods.ts writes it): on the row's node, or else on the first
   * control-plane node.
   */
  staticPod?: StaticPodSpec;
}

/** What a process's static pod says beyond its command line: kubeadm's name, image, labels and CPU request. */
export interface StaticPodSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  requests?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The Kubernetes release the lab's static pods name in their images, as kubeadm v1.32 writes them. */
export const KUBERNETES_VERSION = 'v1.32.0';
const controlPlanePod = (name: string, cpu: string, annotations?: Record<string, string>): StaticPodSpec => ({
  name,
  image: `registry.k8s.io/${name}:${KUBERNETES_VERSION}`,
  labels: { component: name, tier: 'control-plane' },
  requests: { cpu },
  ...(annotations ? { annotations } : {}),
});

/** The ports of a node's processes, on the node's own IP (Kubernetes' own numbers). */
export const NODE_PORTS = { kubelet: 10250, kubeletHealthz: 10248, kubeProxyMetrics: 10249, kubeProxyHealthz: 10256 };

/** Where a node's kubelet keeps its pods (its --root-dir): <lab dir>/data/kubelet/<node>. */
export function kubeletRootDir(dir: string, node: string): string {
  return path.join(paths.data(dir, 'kubelet'), node);
}

/** The `kubelab` command itself, to start components as `node kubelab.js <component> ...`. */
export const KUBELAB_BIN = path.resolve(__dirname, '../../bin/kubelab.js');

/**
 * THE process table: every process `kubelab up` starts, in start order (`down` stops them in
 * reverse). Each issue that adds a component adds its row here and nowhere else.
 */
export function processTable(layout: LabLayout, profile: Profile, natsServer: string, topology: Topology, network: NetworkPlan): ProcessSpec[] {
  const { ports, dir } = layout;
  const log = (name: string) => path.join(paths.logs(dir), `${name}.log`);
  const natsUrl = `nats://127.0.0.1:${ports.nats}`;
  const kubelab = (component: string, args: string[]) => ({ command: process.execPath, args: [...nodeFlags(component), KUBELAB_BIN, component, ...args] });
  const le = profile.leaderElection;
  const leaderElection = ['--leader-elect-lease-duration', le.leaseDuration, '--leader-elect-renew-deadline', le.renewDeadline, '--leader-elect-retry-period', le.retryPeriod];
  return [
    {
      name: 'nats',
      command: natsServer,
      args: ['-a', '127.0.0.1', '-p', String(ports.nats), '-m', String(ports.natsMonitor), '-n', 'kubelab'],
      address: natsUrl,
      healthUrl: `http://127.0.0.1:${ports.natsMonitor}/healthz`,
      logFile: log('nats'),
    },
    {
      name: 'store',
      ...kubelab('store', [
        '--name',
        'kubelab',
        '--data-dir',
        paths.data(dir, 'store'),
        '--listen-client-urls',
        `http://127.0.0.1:${ports.store}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${ports.store}`,
        '--listen-metrics-urls',
        `http://127.0.0.1:${ports.storeMetrics}`,
        '--experimental-watch-progress-notify-interval',
        profile.watchProgressNotifyInterval,
        '--nats-url',
        natsUrl,
      ]),
      address: `http://127.0.0.1:${ports.store}`,
      healthUrl: `http://127.0.0.1:${ports.storeMetrics}/readyz`,
      logFile: log('store'),
      // kubeadm's etcd also requests memory: 100Mi; left out, so that a lab's memory stays its pods' (scenario 04's arithmetic).
      staticPod: {
        ...controlPlanePod('etcd', '100m', { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `http://127.0.0.1:${ports.store}` }),
        image: 'registry.k8s.io/etcd:3.5.16-0',
      },
    },
    {
      name: 'apiserver',
      ...kubelab('apiserver', [
        '--etcd-servers',
        `http://127.0.0.1:${ports.store}`,
        '--bind-address',
        '127.0.0.1',
        '--port',
        String(ports.apiserver),
        '--grpc-port',
        String(ports.apiserverGrpc),
        '--default-not-ready-toleration-seconds',
        String(profile.defaultTolerationSeconds),
        '--default-unreachable-toleration-seconds',
        String(profile.defaultTolerationSeconds),
        '--service-cluster-ip-range',
        network.serviceSubnet,
        '--nats-url',
        natsUrl,
      ]),
      address: `http://127.0.0.1:${ports.apiserver}`,
      healthUrl: `http://127.0.0.1:${ports.apiserver}/readyz`,
      logFile: log('apiserver'),
      staticPod: controlPlanePod('kube-apiserver', '250m', { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `127.0.0.1:${ports.apiserver}` }),
    },
    {
      name: 'scheduler',
      ...kubelab('scheduler', ['--master', `127.0.0.1:${ports.apiserverGrpc}`, '--bind-address', '127.0.0.1', '--port', String(ports.scheduler), ...leaderElection, '--nats-url', natsUrl]),
      address: `http://127.0.0.1:${ports.scheduler}`,
      healthUrl: `http://127.0.0.1:${ports.scheduler}/healthz`,
      logFile: log('scheduler'),
      staticPod: controlPlanePod('kube-scheduler', '100m'),
    },
    {
      name: 'controller-manager',
      ...kubelab('controller-manager', [
        '--master',
        `127.0.0.1:${ports.apiserverGrpc}`,
        '--bind-address',
        '127.0.0.1',
        '--port',
        String(ports.controllerManager),
        ...leaderElection,
        '--node-monitor-period',
        profile.nodeMonitor.period,
        '--node-monitor-grace-period',
        profile.nodeMonitor.gracePeriod,
        '--node-startup-grace-period',
        profile.nodeMonitor.startupGracePeriod,
        '--load-balancer-ip-pool',
        network.loadBalancerPool,
        '--nats-url',
        natsUrl,
      ]),
      address: `http://127.0.0.1:${ports.controllerManager}`,
      healthUrl: `http://127.0.0.1:${ports.controllerManager}/healthz`,
      logFile: log('controller-manager'),
      staticPod: controlPlanePod('kube-controller-manager', '200m'),
    },
    ...topology.nodes.flatMap((node, k) => nodeProcesses(node, network.nodes[k]!, { layout, profile, natsUrl, network, log, kubelab })),
  ];
}

/**
 * A node's two processes, named as their static pods would be on kubeadm (<component>-<node>):
 * its kubelet and its kube-proxy, both on the node's own IP.
 */
function nodeProcesses(
  node: TopologyNode,
  address: NetworkPlan['nodes'][number],
  lab: { layout: LabLayout; profile: Profile; natsUrl: string; network: NetworkPlan; log: (name: string) => string; kubelab: (component: string, args: string[]) => { command: string; args: string[] } },
): ProcessSpec[] {
  const { layout, profile, natsUrl, network, log, kubelab } = lab;
  const master = `127.0.0.1:${layout.ports.apiserverGrpc}`;
  const ip = address.ip;
  const labels = Object.entries(node.labels).map(([k, v]) => `${k}=${v}`);
  const taints = node.taints.map((t) => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`);
  const capacity = Object.entries(node.capacity).map(([k, v]) => `${k}=${v}`);
  const mappings = node.extraPortMappings.map((m) => `${m.listenAddress}:${m.hostPort}:${m.containerPort}`);
  const kubelet = `kubelet-${node.name}`;
  const kubeProxy = `kube-proxy-${node.name}`;
  return [
    {
      name: kubelet,
      node: node.name,
      ...kubelab('kubelet', [
        '--node-name',
        node.name,
        '--master',
        master,
        '--node-ip',
        ip,
        '--pod-cidr',
        address.podCIDR,
        '--root-dir',
        kubeletRootDir(layout.dir, node.name),
        '--pod-manifest-path',
        paths.manifests(layout.dir, node.name),
        ...(labels.length ? ['--node-labels', labels.join(',')] : []),
        ...(taints.length ? ['--register-with-taints', taints.join(',')] : []),
        '--capacity',
        capacity.join(','),
        '--cluster-dns',
        network.clusterDNS,
        '--cluster-domain',
        network.clusterDomain,
        '--node-status-update-frequency',
        profile.kubelet.nodeStatusUpdateFrequency,
        '--node-lease-duration-seconds',
        String(profile.kubelet.nodeLeaseDurationSeconds),
        '--crash-loop-back-off-initial',
        profile.kubelet.crashLoopBackOff.initial,
        '--crash-loop-back-off-max',
        profile.kubelet.crashLoopBackOff.max,
        '--nats-url',
        natsUrl,
      ]),
      address: `grpc://${ip}:${NODE_PORTS.kubelet}`,
      healthUrl: `http://${ip}:${NODE_PORTS.kubeletHealthz}/healthz`,
      logFile: log(kubelet),
    },
    {
      name: kubeProxy,
      node: node.name,
      ...kubelab('kube-proxy', [
        '--node-name',
        node.name,
        '--master',
        master,
        '--nodeport-addresses',
        `${ip}/32`,
        '--healthz-bind-address',
        `${ip}:${NODE_PORTS.kubeProxyHealthz}`,
        '--metrics-bind-address',
        `${ip}:${NODE_PORTS.kubeProxyMetrics}`,
        '--cluster-dns',
        network.clusterDNS,
        '--cluster-domain',
        network.clusterDomain,
        ...(mappings.length ? ['--extra-port-mappings', mappings.join(',')] : []),
        '--nats-url',
        natsUrl,
      ]),
      address: `http://${ip}:${NODE_PORTS.kubeProxyHealthz}`,
      healthUrl: `http://${ip}:${NODE_PORTS.kubeProxyHealthz}/healthz`,
      logFile: log(kubeProxy),
      // kubeadm runs kube-proxy as a DaemonSet (pods kube-proxy-<random>); here it is a static pod per node, kube-proxy-<node>.
      staticPod: { name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${KUBERNETES_VERSION}`, labels: { 'k8s-app': 'kube-proxy' } },
    },
  ];
}

/**
 * One kubelet runs per node, so its memory counts N times: a 1 MB young generation and V8's lite
 * mode (no optimizing compiler) keep an idle kubelet at about 60 MB instead of 70 MB. Measured in
 * `npm run bench -- pods`: the kubelets then spend about 15% more CPU starting 100 pods.
 */
function nodeFlags(component: string): string[] {
  return [...(component === 'kubelet' ? ['--max-semi-space-size=1', '--lite-mode'] : []), ...extraNodeFlags()];
}

/**
 * `KUBELAB_NODE_FLAGS` adds Node.js flags to every component, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * to profile a lab (Node refuses `--cpu-prof` in NODE_OPTIONS).
 */
function extraNodeFlags(): string[] {
  return (process.env.KUBELAB_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

